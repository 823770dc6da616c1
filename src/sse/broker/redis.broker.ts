import { Redis, type Cluster, type RedisOptions } from 'ioredis';
import { BrokerUnavailableError, InvalidInputError } from '../errors/index.js';
import { SSE_DEFAULTS } from '../sse.constants.js';
import {
  brokerClosed,
  invalidEventType,
  redisConnected,
  redisLost,
  redisNotReadyAtStart,
  redisReconnected,
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
import { backoff, boundedCall, noop, reasonOf, silentLogger, whenReady, type RedisBrokerLogger } from './redis-call.util.js';
import { clusterAuth, createRedisCluster, masterKeys, slotOwner } from './redis-cluster.util.js';
import { redisChannelKeys } from './redis-keys.util.js';
import { compareRedisPositions, parseStreamPosition } from './redis-position.util.js';
import { defineScripts, parseHistoryReply, parsePublishReply, type RedisScripts } from './redis-scripts.js';
import { RedisSubscriber } from './redis-subscriber.js';
import { RedisSubscriptions } from './redis-subscriptions.js';
import { parseRedisNodeKey, parseRedisTarget } from './redis-url.util.js';

export type { RedisBrokerLogger } from './redis-call.util.js';

export interface RedisBrokerOptions {
  /**
   * `redis://` or `rediss://` URL (may carry user, password and db), or a cluster:
   * `redis+cluster://[user:password@]host:port,host:port` (`rediss+cluster://` for TLS).
   */
  url: string;
  /** Events kept per channel (exact: the stream is trimmed with `MAXLEN =`). */
  historyLimit: number;
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
  private readonly subscriptions: RedisSubscriptions;
  /** Subscriber connections by node key (`''` on a single server). */
  private readonly subscribers = new Map<string, RedisSubscriber>();
  private readonly makeSubscriber: (key: string) => RedisSubscriber;
  private readonly prefix: string;
  private readonly timeoutMs: number;
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
    this.prefix = options.keyPrefix ?? SSE_DEFAULTS.keyPrefix;
    this.timeoutMs = options.commandTimeoutMs ?? SSE_DEFAULTS.publishTimeoutMs;
    this.logger = options.logger ?? silentLogger;
    const name = options.connectionName ?? 'sse';
    const target = parseRedisTarget(options.url);
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
    if (target.mode === 'single') {
      this.cmd = new Redis(target.url, { ...common, connectionName: `${name}:cmd` });
      this.sharded = false;
      const sub = new RedisSubscriber(target.url, { ...common, connectionName: `${name}:sub` }, {
        key: '', sharded: false, role: 'subscriber', timeoutMs: this.timeoutMs, logger: this.logger, hooks, isClosing,
      });
      this.subscribers.set('', sub);
      this.makeSubscriber = () => sub;
    } else {
      const auth = clusterAuth(target);
      this.cluster = this.cmd = createRedisCluster(target, { ...common, connectionName: `${name}:cmd` }, (times) => backoff(times, MAX_RETRY_DELAY_MS));
      this.sharded = options.clusterPubSub === 'sharded' ? true : options.clusterPubSub === 'plain' ? false : undefined;
      this.makeSubscriber = (key) => {
        const link = new RedisSubscriber(parseRedisNodeKey(key), { ...common, ...auth, connectionName: `${name}:sub` }, {
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
    this.watchCommands();
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
    const args = [keys.live, this.options.historyLimit, newEpoch(), event, request.data, key === undefined ? '0' : '1', key ?? ''];
    const sharded = await this.pubSubMode();
    return parsePublishReply(await this.run(() => this.scripts.publish(keys, args, sharded)));
  }

  async history(channel: string, query: HistoryQuery): Promise<HistoryPage> {
    this.assertOpen();
    const keys = redisChannelKeys(this.prefix, channel);
    const limit = Number.isFinite(query.limit) ? Math.max(0, Math.floor(query.limit)) : query.limit > 0 ? Number.MAX_SAFE_INTEGER : 0;
    let after = '';
    let afterEpoch = '';
    if (query.after !== undefined) {
      const position = parseStreamPosition(query.after);
      after = position?.streamId ?? '!';
      afterEpoch = position?.epoch ?? '';
    }
    const reply = await this.run(() => this.scripts.history(keys, [newEpoch(), after, afterEpoch, limit]));
    return parseHistoryReply(reply, query.after === undefined);
  }

  async subscribe(channel: string, listener: BrokerListener): Promise<BrokerSubscription> {
    this.assertOpen();
    const live = redisChannelKeys(this.prefix, channel).live;
    await this.pubSubMode();
    this.assertOpen();
    return this.subscriptions.subscribe(channel, live, listener);
  }

  compare(a: string, b: string): number {
    return compareRedisPositions(a, b);
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
      this.subscriptions.clear();
      const subscribers = [...this.subscribers.values()];
      this.subscribers.clear();
      await Promise.all([this.quitCommands(), ...subscribers.map((s) => s.close())]);
    })();
    return this.closing;
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

  private watchCommands(): void {
    let everReady = false;
    let up = false;
    const conn = this.cmd;
    conn.on('error', (error: Error) => (this.lastError = error.message));
    conn.on('node error', (error: Error) => (this.lastError = error.message));
    for (const name of ['error', 'node error']) conn.on(name, () => this.options.metrics?.redisError('command'));
    conn.on('ready', () => {
      up = true;
      this.logger.log((everReady ? redisReconnected : redisConnected)('command'));
      everReady = true;
    });
    conn.on('close', () => {
      if (up && !this.closing) this.logger.warn(redisLost('command', this.lastError || 'connection closed'));
      up = false;
    });
  }

  private checkHealth(): void {
    for (const link of this.subscribers.values()) link.checkHealth();
    // A cluster's node connections are replaced by ioredis itself (slots refresh, MOVED).
    if (this.cluster || this.cmd.status !== 'ready') return;
    const cmd = this.cmd;
    this.run(() => cmd.ping()).catch((error: unknown) => {
      if (this.closing || cmd.status !== 'ready') return;
      this.logger.warn(redisUnresponsive('command', reasonOf(error)));
      cmd.disconnect(true);
    });
  }

  private async quitCommands(): Promise<void> {
    if (this.cmd.status === 'ready') {
      try {
        await this.run(() => this.cmd.quit());
        return;
      } catch {
        // no answer: drop the sockets below
      }
    }
    this.cmd.disconnect();
  }

  private assertOpen(): void {
    if (this.closing) throw new BrokerUnavailableError(brokerClosed);
  }
}
