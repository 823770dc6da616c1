import type { Cluster, Redis, RedisOptions } from 'ioredis';
import { BrokerUnavailableError, InvalidInputError } from '../errors/index.js';
import { SSE_DEFAULTS } from '../sse.constants.js';
import {
  brokerClosed,
  channelKeepaliveFailed,
  invalidEventType,
  minReplicasAckOnCluster,
  redisConnected,
  redisLost,
  redisNotReadyAtStart,
  redisReconnected,
  redisTlsRefused,
  redisUnreachable,
  redisUnresponsive,
} from '../sse.messages.js';
import type {
  Broker,
  BrokerHealth,
  BrokerListener,
  BrokerSubscription,
  HistoryPage,
  HistoryQuery,
  PublishRequest,
  PublishResult,
} from './broker.interface.js';
import type { SseMetrics } from '../metrics/sse-metrics.interface.js';
import { newEpoch } from './epoch.util.js';
import { ChannelKeepalive } from './channel-keepalive.js';
import { backoff, boundedCall, noop, reasonOf, silentLogger, whenReady, type RedisBrokerLogger } from './redis-call.util.js';
import { createRedisConnection, type RedisConnectionSettings } from './redis-client.util.js';
import { createRedisCluster, masterKeys, slotOwner } from './redis-cluster.util.js';
import { redisChannelKeys } from './redis-keys.util.js';
import { ReplicaAcks } from './redis-replica-ack.js';
import { defineScripts, parseHistoryReply, parsePublishReply, type RedisScripts } from './redis-scripts.js';
import { RedisSubscriber } from './redis-subscriber.js';
import { RedisSubscriptions } from './redis-subscriptions.js';
import { isTlsError } from './redis-tls.util.js';
import { parseRedisNodeKey, parseRedisTarget } from './redis-url.util.js';

export type { RedisBrokerLogger } from './redis-call.util.js';

export interface RedisBrokerOptions {
  /**
   * `redis://` or `rediss://` URL (may carry user, password and db), a cluster:
   * `redis+cluster://[user:password@]host:port,host:port` (`rediss+cluster://` for TLS), or
   * a Sentinel group: `redis+sentinel://[user:password@]host:port,host:port/<master-name>`.
   */
  url: string;
  /** TLS material for a `rediss…` URL, and the Sentinels' own credentials; every connection gets them. */
  connection?: RedisConnectionSettings;
  /**
   * Replicas that must hold each published event before `publish` resolves (Redis `WAIT`,
   * on a connection of its own); fewer within `ackTimeoutMs`: `BrokerUnavailableError`.
   * Default 0: off. Not on a Redis Cluster (the constructor throws).
   */
  minReplicasAck?: number;
  /** How long Redis waits for those replicas, ms (default 1000); keep it below `commandTimeoutMs`. */
  ackTimeoutMs?: number;
  /** Events kept per channel (exact: the stream is trimmed with `MAXLEN =`). */
  historyLimit: number;
  /**
   * A channel's keys (stream, meta, idempotency keys) expire this many ms after its last
   * publish or history read, unless it has subscribers on some instance: each instance
   * restarts the TTL of the channels it has subscribers for every third of it (see
   * `ChannelKeepalive`), and once more when the last one leaves. Default 0: never expire
   * (a publish then removes an expiry an earlier setting left). The same on every instance.
   */
  channelTtlMs?: number;
  /** Prefix of every key and pub/sub channel; default `sse:`. */
  keyPrefix?: string;
  /** Bound of every publish, history, subscribe and ping; default `SSE_DEFAULTS.publishTimeoutMs`. */
  commandTimeoutMs?: number;
  /** Connection status (connected, lost, back); default: silent. */
  logger?: RedisBrokerLogger;
  /** The connections are named `<name>:cmd` and `<name>:sub` in CLIENT LIST; default `sse`. */
  connectionName?: string;
  /** Command and subscriber connections are PINGed this often, so a silently dead one is replaced; default 5 s. */
  healthCheckMs?: number;
  /**
   * Live fan-out in a cluster: `sharded` (SPUBLISH/SSUBSCRIBE, Redis 7+), `plain`
   * (PUBLISH/SUBSCRIBE, broadcast to every node), or `auto` (default): sharded when the
   * server is Redis 7 or newer. A single server always uses plain pub/sub.
   */
  clusterPubSub?: 'auto' | 'sharded' | 'plain';
  /** Connection state and errors of the command and subscriber connections; default: not counted. */
  metrics?: Pick<SseMetrics, 'watchRedisConnections' | 'redisError'>;
}

const CONNECT_WAIT_MS = 5_000;
const MAX_RETRY_DELAY_MS = 2_000;
const DEFAULT_ACK_TIMEOUT_MS = 1_000;

/**
 * Redis Streams for history, pub/sub for live delivery, one Lua script per publish (store,
 * trim, idempotency, fan-out in one atomic step) and per history read. On a single server,
 * two connections: commands, and one subscriber for every channel. On a cluster, ioredis'
 * `Cluster` for commands (one connection per node it talks to) and one subscriber connection
 * per shard owning a subscribed channel (SSUBSCRIBE), or a single one with plain pub/sub.
 */
export class RedisBroker implements Broker, BrokerHealth {
  private readonly cmd: Redis | Cluster;
  private readonly cluster: Cluster | undefined;
  private readonly scripts: RedisScripts;
  /** With `minReplicasAck`: the connection publishes run on, its scripts, and its WAITs. */
  private readonly acks: { readonly conn: Redis; readonly scripts: RedisScripts; readonly replicas: ReplicaAcks } | undefined;
  private readonly subscriptions: RedisSubscriptions;
  /** Subscriber connections by node key (`''` on a single server). */
  private readonly subscribers = new Map<string, RedisSubscriber>();
  private readonly makeSubscriber: (key: string) => RedisSubscriber;
  private readonly prefix: string;
  private readonly timeoutMs: number;
  /** Channel TTL, ms; 0: channels never expire. */
  private readonly ttlMs: number;
  private readonly keepalive: ChannelKeepalive | undefined;
  private readonly logger: RedisBrokerLogger;
  /** Whether live events go through shard channels; `undefined` until the cluster's version is known. */
  private sharded: boolean | undefined;
  /** Last connection error, for the operator's log. */
  private lastError = '';
  private healthTimer: NodeJS.Timeout | undefined;
  private closing: Promise<void> | undefined;

  constructor(private readonly options: RedisBrokerOptions) {
    if (!Number.isInteger(options.historyLimit) || options.historyLimit < 1) {
      throw new RangeError('historyLimit must be a positive integer');
    }
    this.ttlMs = options.channelTtlMs ?? 0;
    if (!Number.isInteger(this.ttlMs) || this.ttlMs < 0) throw new RangeError('channelTtlMs must be 0 (never) or a positive integer');
    this.prefix = options.keyPrefix ?? SSE_DEFAULTS.keyPrefix;
    this.timeoutMs = options.commandTimeoutMs ?? SSE_DEFAULTS.publishTimeoutMs;
    this.logger = options.logger ?? silentLogger;
    const name = options.connectionName ?? 'sse';
    const target = parseRedisTarget(options.url);
    const settings = options.connection ?? {};
    const minReplicas = options.minReplicasAck ?? 0;
    if (minReplicas > 0 && target.mode === 'cluster') throw new RangeError(`minReplicasAck ${minReplicasAckOnCluster}`);
    // Fail fast, never queue: no offline queue (a command while disconnected is refused at
    // once), no resend of in-flight commands after a reconnect (the caller was already told
    // it failed), and in-flight commands are rejected as soon as the connection drops.
    const common: RedisOptions = {
      lazyConnect: true,
      enableOfflineQueue: false,
      autoResendUnfulfilledCommands: false,
      maxRetriesPerRequest: 0,
      commandTimeout: this.timeoutMs,
      connectTimeout: CONNECT_WAIT_MS,
      retryStrategy: (times) => backoff(times, MAX_RETRY_DELAY_MS),
    };
    const isClosing = () => this.closing !== undefined;
    const hooks = {
      message: (link: RedisSubscriber, live: string, message: string) => this.subscriptions.dispatch(link, live, message),
      ready: () => this.subscriptions.reconcile(),
      moved: () => this.cluster?.refreshSlotsCache(),
      lost: () => this.cluster?.refreshSlotsCache(),
      error: () => options.metrics?.redisError('subscriber'),
    };
    if (target.mode !== 'cluster') {
      // One server, or the master the Sentinels name (asked again on every reconnect).
      this.cmd = createRedisConnection(target, { ...common, connectionName: `${name}:cmd` }, settings);
      this.sharded = false;
      const sub = new RedisSubscriber((o) => createRedisConnection(target, o, settings), { ...common, connectionName: `${name}:sub` }, {
        key: '', sharded: false, role: 'subscriber', timeoutMs: this.timeoutMs, logger: this.logger, hooks, isClosing,
      });
      this.subscribers.set('', sub);
      this.makeSubscriber = () => sub;
    } else {
      this.cluster = this.cmd = createRedisCluster(target, { ...common, connectionName: `${name}:cmd` }, (times) => backoff(times, MAX_RETRY_DELAY_MS), settings.tls);
      this.sharded = options.clusterPubSub === 'sharded' ? true : options.clusterPubSub === 'plain' ? false : undefined;
      this.makeSubscriber = (key) => {
        const node = parseRedisNodeKey(key);
        const link = new RedisSubscriber((o) => createRedisConnection(target, o, settings, node), { ...common, connectionName: `${name}:sub` }, {
          key, sharded: this.sharded === true, role: `subscriber (${key})`, timeoutMs: this.timeoutMs, logger: this.logger, hooks, isClosing,
        });
        link.conn.connect().catch(noop);
        return link;
      };
      // Every slots refresh (each 5 s, and after MOVED or a lost node): channels whose slot
      // changed hands move to the new owner's subscriber; subscribers of former masters go.
      this.cluster.on('refresh', () => this.onTopology());
    }
    this.subscriptions = new RedisSubscriptions({
      route: (live) => this.route(live),
      logger: this.logger,
      isClosing,
    });
    this.scripts = defineScripts(this.cmd);
    this.watchCommands(this.cmd, 'command');
    if (minReplicas > 0 && target.mode !== 'cluster') {
      const ackTimeoutMs = options.ackTimeoutMs ?? DEFAULT_ACK_TIMEOUT_MS;
      // Its own connection: a WAIT holds up every later command of its connection, and reads
      // and health checks must not wait for replicas. Its commands may queue behind two WAITs.
      const conn = createRedisConnection(target, { ...common, commandTimeout: this.timeoutMs + 2 * ackTimeoutMs, connectionName: `${name}:ack` }, settings);
      this.acks = { conn, scripts: defineScripts(conn), replicas: new ReplicaAcks(conn, minReplicas, ackTimeoutMs, `${this.prefix}replica-ack`) };
      this.watchCommands(conn, 'acknowledged publish');
    }
    if (this.ttlMs > 0) {
      this.keepalive = new ChannelKeepalive({
        ttlMs: this.ttlMs,
        channels: () => this.subscriptions.channels(),
        touch: (batch) => this.touch(batch),
        // While the connection is down its own log says so; this one tells of a failure on a live one.
        onError: (error) => {
          if (!this.closing && this.cmd.status === 'ready') this.logger.warn(channelKeepaliveFailed(reasonOf(error)));
        },
      });
      this.keepalive.start();
    }
    options.metrics?.watchRedisConnections('command', () => (this.cmd.status === 'ready' ? 1 : 0));
    options.metrics?.watchRedisConnections('subscriber', () => [...this.subscribers.values()].filter((s) => s.ready).length);
  }

  /** Connects; waits up to 5 s, but never fails: ioredis keeps retrying. */
  async connect(): Promise<void> {
    this.assertOpen();
    let timer: NodeJS.Timeout | undefined;
    const waits = [
      whenReady(this.cmd).then(() => Promise.all((this.cluster?.nodes('master') ?? []).map(whenReady))),
      ...[...this.subscribers.values()].map((s) => whenReady(s.conn)),
      ...(this.acks ? [whenReady(this.acks.conn)] : []),
    ];
    const ready = await Promise.race([
      Promise.all(waits).then(() => true),
      new Promise<false>((resolve) => (timer = setTimeout(resolve, CONNECT_WAIT_MS, false))),
    ]);
    clearTimeout(timer);
    if (ready) await this.pubSubMode().catch(noop);
    else this.logger.warn(redisNotReadyAtStart(CONNECT_WAIT_MS, this.lastError || 'no answer'));
    this.healthTimer ??= setInterval(() => this.checkHealth(), this.options.healthCheckMs ?? 5_000);
    this.healthTimer.unref();
  }

  async publish(channel: string, request: PublishRequest): Promise<PublishResult> {
    this.assertOpen();
    const keys = redisChannelKeys(this.prefix, channel);
    const event = request.event ?? '';
    // The live message is line-based: a line break in the type would shift its fields.
    if (/[\r\n]/.test(event)) throw new InvalidInputError(invalidEventType(event));
    const key = request.idempotencyKey;
    const args = [keys.live, this.options.historyLimit, newEpoch(), event, request.data, key === undefined ? '0' : '1', key ?? '', this.ttlMs];
    const sharded = await this.pubSubMode();
    const acks = this.acks;
    const result = parsePublishReply(await this.run(() => (acks?.scripts ?? this.scripts).publish(keys, args, sharded)));
    // Answered only once enough replicas hold it (or, for a duplicate, the event it found).
    if (acks) await this.run(() => acks.replicas.confirm(result.duplicate));
    return result;
  }

  async history(channel: string, query: HistoryQuery): Promise<HistoryPage> {
    this.assertOpen();
    const keys = redisChannelKeys(this.prefix, channel);
    const limit = Number.isFinite(query.limit) ? Math.max(0, Math.floor(query.limit)) : query.limit > 0 ? Number.MAX_SAFE_INTEGER : 0;
    const after = query.after;
    const reply = await this.run(() => this.scripts.history(keys, [newEpoch(), after?.entryId ?? '', after?.epoch ?? '', limit, this.ttlMs]));
    return parseHistoryReply(reply, query.after === undefined);
  }

  async subscribe(channel: string, listener: BrokerListener): Promise<BrokerSubscription> {
    this.assertOpen();
    const live = redisChannelKeys(this.prefix, channel).live;
    await this.pubSubMode();
    this.assertOpen();
    const subscription = await this.subscriptions.subscribe(channel, live, listener);
    if (this.ttlMs === 0) return subscription;
    // In use from now on: the keep-alive's next round may be a third of the TTL away. And
    // the TTL counts from the last subscriber's leaving, not from the round before it.
    this.touchSoon(channel);
    return {
      unsubscribe: async () => {
        await subscription.unsubscribe();
        this.touchSoon(channel);
      },
    };
  }

  /** Health: resolves when commands and every subscriber connection answer PING in time. */
  async ping(): Promise<void> {
    this.assertOpen();
    await Promise.all([this.run(() => this.cmd.ping()), ...[...this.subscribers.values()].map((s) => s.ping())]);
  }

  /** Subscriber connections open now, by node key (`''` on a single server), with their live channel count. */
  subscriberConnections(): Map<string, number> {
    return new Map([...this.subscribers].map(([key, link]) => [key, this.subscriptions.countOn(link)]));
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      clearInterval(this.healthTimer);
      this.keepalive?.stop();
      this.subscriptions.clear();
      const subscribers = [...this.subscribers.values()];
      this.subscribers.clear();
      await Promise.all([this.quitCommands(), ...subscribers.map((s) => s.close())]);
    })();
    return this.closing;
  }

  /**
   * Restarts the TTL of `channels` (one script call each, one hash slot each, so a cluster
   * routes each to its own master; ioredis writes them back to back without waiting for
   * answers). Bounded by the command timeout as a whole.
   */
  private async touch(channels: readonly string[]): Promise<void> {
    this.assertOpen();
    await this.run(() => Promise.all(channels.map((channel) => this.scripts.touch(redisChannelKeys(this.prefix, channel), this.ttlMs))));
  }

  /** `touch` of one channel, in the background: on a failure its TTL runs from the last publish, read or round. */
  private touchSoon(channel: string): void {
    if (this.closing) return;
    this.touch([channel]).catch(noop);
  }

  /** The subscriber a channel's live messages come through: its slot's master, or the one plain subscriber. */
  private route(live: string): RedisSubscriber {
    let key = '';
    if (this.cluster) {
      const owner = this.sharded ? slotOwner(this.cluster, live) : masterKeys(this.cluster)[0];
      if (owner === undefined) throw new BrokerUnavailableError(redisUnreachable);
      key = owner;
    }
    let link = this.subscribers.get(key);
    if (!link) this.subscribers.set(key, (link = this.makeSubscriber(key)));
    return link;
  }

  private onTopology(): void {
    if (this.closing || this.sharded === undefined) return;
    this.subscriptions.reconcile();
    // Subscribers of nodes that are no longer masters (failed over, resharded empty) are
    // closed once no channel is live on them (a later refresh closes the ones still busy).
    // Plain pub/sub subscribes on the first master: the same on every instance.
    const keys = this.cluster ? masterKeys(this.cluster) : [];
    const wanted = new Set(this.sharded ? keys : keys.slice(0, 1));
    for (const [key, link] of this.subscribers) {
      if (!wanted.has(key) && this.subscriptions.countOn(link) === 0) {
        this.subscribers.delete(key);
        link.close().catch(noop);
      }
    }
  }

  /** Sharded pub/sub or not; on a cluster asks the server's version once (Redis 7 has SPUBLISH). */
  private async pubSubMode(): Promise<boolean> {
    if (this.sharded !== undefined) return this.sharded;
    const info = String(await this.run(() => this.cmd.info('server')));
    const major = Number(/redis_version:(\d+)/.exec(info)?.[1] ?? 0);
    this.sharded ??= major >= 7;
    return this.sharded;
  }

  private run<T>(work: () => Promise<T>): Promise<T> {
    return boundedCall(work, this.timeoutMs);
  }

  private watchCommands(conn: Redis | Cluster, role: string): void {
    let everReady = false;
    let up = false;
    let tlsLogged = { reason: '', at: 0 };
    const onError = (error: Error) => {
      this.lastError = error.message;
      // A refused certificate never heals by retrying: say so loudly, once per reason (and
      // again every 30 s), instead of only in the next "connection lost" line.
      if (isTlsError(error) && !this.closing && (tlsLogged.reason !== error.message || Date.now() - tlsLogged.at > 30_000)) {
        tlsLogged = { reason: error.message, at: Date.now() };
        this.logger.warn(redisTlsRefused(role, error.message));
      }
    };
    conn.on('error', onError);
    conn.on('node error', onError);
    for (const name of ['error', 'node error']) conn.on(name, () => this.options.metrics?.redisError('command'));
    conn.on('ready', () => {
      up = true;
      this.logger.log((everReady ? redisReconnected : redisConnected)(role));
      everReady = true;
    });
    conn.on('close', () => {
      if (up && !this.closing) this.logger.warn(redisLost(role, this.lastError || 'connection closed'));
      up = false;
    });
  }

  private checkHealth(): void {
    for (const link of this.subscribers.values()) link.checkHealth();
    // Its PING may queue behind two WAITs.
    if (this.acks) this.pingOrReconnect(this.acks.conn, 'acknowledged publish', this.timeoutMs + 2 * (this.options.ackTimeoutMs ?? DEFAULT_ACK_TIMEOUT_MS));
    // A cluster's node connections are replaced by ioredis itself (slots refresh, MOVED).
    if (!this.cluster) this.pingOrReconnect(this.cmd as Redis, 'command', this.timeoutMs);
  }

  private pingOrReconnect(conn: Redis, role: string, timeoutMs: number): void {
    if (conn.status !== 'ready') return;
    boundedCall(() => conn.ping(), timeoutMs).catch((error: unknown) => {
      if (this.closing || conn.status !== 'ready') return;
      this.logger.warn(redisUnresponsive(role, reasonOf(error)));
      conn.disconnect(true);
    });
  }

  private async quitCommands(): Promise<void> {
    await Promise.all([this.cmd, ...(this.acks ? [this.acks.conn] : [])].map(async (conn) => {
      if (conn.status === 'ready') {
        try {
          await this.run(() => conn.quit());
          return;
        } catch {
          // no answer: drop the sockets below
        }
      }
      conn.disconnect();
    }));
  }

  private assertOpen(): void {
    if (this.closing) throw new BrokerUnavailableError(brokerClosed);
  }
}
