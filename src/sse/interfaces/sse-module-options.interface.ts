import type { Broker } from '../broker/broker.interface.js';
import type { ResolvedHttpOptions, SseHttpOptions } from './sse-http-options.interface.js';

/** Settings of `SseModule.forRoot` / `forRootAsync`; every one has a default. */
export interface SseModuleOptions {
  /**
   * Redis URL (`redis://…`, `rediss://…`), or a Redis Cluster
   * (`redis+cluster://[user:password@]host:port,host:port`, `rediss+cluster://…` for TLS);
   * unset: the in-memory broker (one process only).
   */
  redis?: string;
  /** A broker of your own instead of the built-in ones; you close it. */
  broker?: Broker;
  /** Events kept per channel for replay (default 1000). */
  historyLimit?: number;
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
  extends Required<Omit<SseModuleOptions, 'redis' | 'broker' | 'maxConnections' | 'http' | 'transport'>> {
  readonly redis: string | undefined;
  readonly broker: Broker | undefined;
  readonly maxConnections: number | undefined;
  /** Undefined when the HTTP API is not mounted. */
  readonly http: ResolvedHttpOptions | undefined;
}
