import type { Broker } from '../broker/broker.interface.js';
import type { ResolvedHttpOptions, SseHttpOptions } from './sse-http-options.interface.js';
import type { RedisTlsOptions } from '../broker/redis-tls.util.js';
import type { ResolvedSseMetricsOptions, SseMetricsOptions } from './sse-metrics-options.interface.js';

/** Settings of `SseModule.forRoot` / `forRootAsync`; every one has a default. */
export interface SseModuleOptions {
  /**
   * Redis URL (`redis://…`, `rediss://…`), a Redis Cluster
   * (`redis+cluster://[user:password@]host:port,host:port`, `rediss+cluster://…` for TLS), or
   * a master watched by Sentinel (`redis+sentinel://[user:password@]host:port,host:port/<master-name>`,
   * `rediss+sentinel://…` for TLS to the Sentinels and the master; user and password are the
   * master's); unset: the in-memory broker (one process only).
   */
  redis?: string;
  /**
   * TLS for a `rediss…` URL, on every Redis connection the module makes: `ca`, `cert` and `key`
   * as PEM contents (`cert` and `key` together), `servername` for SNI and the certificate
   * check. Setting it with a URL that does not use TLS is an error.
   */
  redisTls?: RedisTlsOptions;
  /** User of the Sentinels themselves (ACL), for a `redis+sentinel://` URL. */
  sentinelUsername?: string;
  /** Password of the Sentinels themselves (`requirepass`), for a `redis+sentinel://` URL; the URL's password is the master's. */
  sentinelPassword?: string;
  /**
   * A publish resolves only once Redis `WAIT` confirms the event reached this many replicas;
   * fewer within `ackTimeoutMs`: `BrokerUnavailableError` (503; the event may still be
   * delivered, and a retry with the same idempotency key is safe). Default 0: off. Needs a
   * single server or Sentinel URL (not a cluster).
   */
  minReplicasAck?: number;
  /** How long a publish waits for those replicas, ms (default 1000); below `publishTimeoutMs`. */
  ackTimeoutMs?: number;
  /** A broker of your own instead of the built-in ones; you close it. */
  broker?: Broker;
  /** Events kept per channel for replay (default 1000). */
  historyLimit?: number;
  /**
   * Channel lifecycle, ms: a channel with no subscriber on any instance and no publish or
   * history read for this long expires, with its history and idempotency keys (Redis: its
   * keys get this TTL on every use and are kept alive while subscribed; memory: a sweep
   * drops it). A client coming back with a position of it gets `reset` (`unknown`), then
   * every event of the channel's new stream. Default 0: channels never expire; otherwise at
   * least 1000. Set the same on every instance. Not applied to a `broker` of your own.
   */
  channelTtlMs?: number;
  /** Idle time after which a stream gets a comment heartbeat, ms (default 15000). */
  heartbeatMs?: number;
  /** `retry:` sent to clients: how long they wait before reconnecting, ms (default 3000). */
  retryMs?: number;
  /** Unsent bytes one stream may hold before it is closed as a slow consumer (default 1 MiB). */
  maxBufferBytes?: number;
  /** Channels one stream may carry (default 32). */
  maxChannelsPerStream?: number;
  /** Largest event accepted, in bytes of its JSON data (default 65536). */
  maxEventBytes?: number;
  /** How long a publish may wait for the broker before it fails with 503, ms (default 2000). */
  publishTimeoutMs?: number;
  /** Prefix of every Redis key (default `sse:`). */
  keyPrefix?: string;
  /** Name of this instance, sent as `X-Instance-Id` (default host name and pid). */
  instanceId?: string;
  /** Most streams this instance holds; more get 503 (default: no limit). */
  maxConnections?: number;
  /** On shutdown, clients are told to come back within this many ms, spread at random (default 5000). */
  drainMs?: number;
  /**
   * State channels (patterns: `*` = one dot-separated segment, `**` = the rest): a client that falls behind
   * skips to the newest event instead of being cut off. Also `forFeature([{ name, policy: 'latest' }])`.
   */
  latestChannels?: readonly string[];
  /**
   * Even spread (needs Redis): an instance holding more than this times the cluster mean of
   * streams sheds its excess (default 1.25; 0 turns it off).
   */
  rebalanceRatio?: number;
  /** Streams shed per second while rebalancing (default 5). */
  rebalanceRate?: number;
  /** How often each instance reports its stream count to the others, ms (default 1000). */
  presenceIntervalMs?: number;
  /**
   * The HTTP API (streams, history, publish, sync) mounted in the application, with its
   * authorization and limits. Unset: no routes; the application serves its own `@Sse()`
   * routes and publishes from code. With `forRootAsync`, say `http` in the static part
   * (`forRootAsync({ http: { prefix }, useFactory })`): routes are registered before the
   * factory runs; the factory's `http` supplies authorization and limits.
   */
  http?: SseHttpOptions;
  /**
   * Prometheus metrics with prom-client: `true` (a registry of the module's own, served from
   * the `SSE_METRICS_REGISTRY` provider), or `{ registry, channels, defaultMetrics }`.
   * Default off: nothing is counted.
   */
  metrics?: boolean | SseMetricsOptions;
  /**
   * Publishing from other services: registers the `@EventPattern('sse.publish')` handler
   * that stores `client.emit('sse.publish', { channel, event?, data, idempotencyKey })`
   * exactly once however many instances consume it (README: Publishing from other
   * services). Feed it with `connectSseTransport(app)` (Nest's Redis transport on the
   * `redis` URL) or a microservice of your own. With `forRootAsync`, say it in the static
   * part (`forRootAsync({ transport: true, useFactory })`). Default false.
   */
  transport?: boolean;
}

/** The options with every default filled in. */
export interface ResolvedSseOptions
  extends Required<Omit<SseModuleOptions, 'redis' | 'broker' | 'maxConnections' | 'http' | 'metrics' | 'transport' | 'redisTls' | 'sentinelUsername' | 'sentinelPassword'>> {
  readonly redis: string | undefined;
  readonly redisTls: RedisTlsOptions | undefined;
  readonly sentinelUsername: string | undefined;
  readonly sentinelPassword: string | undefined;
  readonly broker: Broker | undefined;
  readonly maxConnections: number | undefined;
  /** Undefined when the HTTP API is not mounted. */
  readonly http: ResolvedHttpOptions | undefined;
  /** Undefined when metrics are off. */
  readonly metrics: ResolvedSseMetricsOptions | undefined;
}
