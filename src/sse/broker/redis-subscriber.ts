import type { Redis, RedisOptions } from 'ioredis';
import { redisConnected, redisLost, redisReconnected, redisUnresponsive } from '../sse.messages.js';
import { boundedCall, noop, reasonOf, whenReady, type RedisBrokerLogger } from './redis-call.util.js';

export interface RedisSubscriberHooks {
  /** A live message arrived on `live`. */
  message(link: RedisSubscriber, live: string, message: string): void;
  /** The connection is ready (again): whatever it had subscribed is gone and must be redone. */
  ready(link: RedisSubscriber): void;
  /** Redis took subscriptions away without the connection dropping (a slot left this shard). */
  moved(link: RedisSubscriber): void;
  /** The connection closed (or a reconnect attempt failed): its node may have failed over. */
  lost(link: RedisSubscriber): void;
  /** The connection reported an error (a failed connect, a dropped socket). */
  error(link: RedisSubscriber): void;
}

export interface RedisSubscriberOptions {
  /** ioredis node key (`host:port`) in a cluster; `''` for a single server or a Sentinel-named master. */
  readonly key: string;
  /** SSUBSCRIBE / `smessage` (shard channels) instead of SUBSCRIBE / `message`. */
  readonly sharded: boolean;
  /** For the operator's log: `subscriber`, or `subscriber (host:port)`. */
  readonly role: string;
  readonly timeoutMs: number;
  readonly logger: RedisBrokerLogger;
  readonly hooks: RedisSubscriberHooks;
  /** True once the broker shuts down: nothing is logged or repaired any more. */
  readonly isClosing: () => boolean;
}

/**
 * One subscriber connection: the only one on a single server, one per shard (master) in a
 * cluster. `session` is a fresh object whenever the subscriptions this connection held may
 * be gone (it closed, or Redis moved a slot away), so a subscription acknowledged on an
 * older session is known to be lost.
 */
export class RedisSubscriber {
  readonly conn: Redis;
  session: object = {};
  private everReady = false;
  /** Until the first connect attempt ends, callers wait for it instead of failing at once. */
  private fresh = true;
  private up = false;
  private lastError = '';
  private repairTimer: NodeJS.Timeout | undefined;
  /** Closed on purpose (broker shutdown, or its node is no longer a master). */
  private closed = false;
  private repairs = 0;

  /**
   * @param open Makes the connection from ioredis options (the broker's `createRedisConnection`
   *   for its target: a server, the Sentinel-named master, or one cluster node).
   */
  constructor(open: (settings: RedisOptions) => Redis, connection: RedisOptions, private readonly options: RedisSubscriberOptions) {
    // We re-subscribe ourselves after a reconnect: ioredis would do it fire-and-forget, with
    // no way to know when it is confirmed, and would also revive channels whose UNSUBSCRIBE
    // failed during the outage.
    this.conn = open({ ...connection, autoResubscribe: false });
    this.conn.on(options.sharded ? 'smessage' : 'message', (live: string, message: string) =>
      options.hooks.message(this, live, message),
    );
    this.conn.on('moved', () => {
      this.session = {};
      options.hooks.moved(this);
    });
    this.watch();
  }

  get key(): string {
    return this.options.key;
  }

  /** Subscribes `live`; on failure takes it back, since a timed-out SUBSCRIBE may still run. */
  async subscribe(live: string): Promise<void> {
    if (this.fresh) await boundedCall(() => whenReady(this.conn), this.options.timeoutMs);
    const session = this.session;
    try {
      await this.call(() => (this.options.sharded ? this.conn.ssubscribe(live) : this.conn.subscribe(live)));
    } catch (error) {
      // Sent now, before the next step of this channel starts, so Redis sees the two in order.
      if (session === this.session && this.conn.status === 'ready') this.unsubscribe(live).catch(noop);
      throw error;
    }
  }

  unsubscribe(live: string): Promise<unknown> {
    return this.call(() => (this.options.sharded ? this.conn.sunsubscribe(live) : this.conn.unsubscribe(live)));
  }

  ping(): Promise<unknown> {
    return this.call(() => this.conn.ping());
  }

  /** Drops the connection at once (ioredis reconnects); its subscriptions count as lost now. */
  reconnect(): void {
    this.session = {};
    this.conn.disconnect(true);
  }

  get ready(): boolean {
    return this.conn.status === 'ready';
  }

  /**
   * Re-subscribing on this connection failed while it looked fine: reconnect it (its
   * 'ready' re-subscribes everything), after a pause that grows with each failure in a row,
   * so a server that keeps refusing (cluster down, loading) is not hammered.
   */
  scheduleRepair(): void {
    if (this.repairTimer || this.closed || this.options.isClosing()) return;
    const delay = Math.min(100 * 2 ** this.repairs++, 2_000);
    this.repairTimer = setTimeout(() => {
      this.repairTimer = undefined;
      if (!this.options.isClosing() && this.ready) this.reconnect();
    }, delay);
    this.repairTimer.unref();
  }

  /** A re-subscribe on this connection succeeded: the next failure is repaired quickly again. */
  repaired(): void {
    this.repairs = 0;
  }

  /** A connection can die silently (half-open TCP): only a PING notices before keepalive does. */
  checkHealth(): void {
    if (this.conn.status !== 'ready') return;
    const session = this.session;
    this.ping().catch((error: unknown) => {
      if (this.options.isClosing() || this.conn.status !== 'ready' || session !== this.session) return;
      this.options.logger.warn(redisUnresponsive(this.options.role, reasonOf(error)));
      this.reconnect();
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.repairTimer);
    if (this.conn.status === 'ready') {
      try {
        await this.call(() => this.conn.quit());
        return;
      } catch {
        // no answer: drop the socket below
      }
    }
    this.conn.disconnect();
  }

  private call<T>(work: () => Promise<T>): Promise<T> {
    return boundedCall(work, this.options.timeoutMs);
  }

  private watch(): void {
    const { logger, role, hooks } = this.options;
    this.conn.on('error', (error: Error) => (this.lastError = error.message));
    this.conn.on('error', () => hooks.error(this));
    this.conn.on('ready', () => {
      this.up = true;
      this.fresh = false;
      logger.log((this.everReady ? redisReconnected : redisConnected)(role));
      this.everReady = true;
      hooks.ready(this);
    });
    this.conn.on('close', () => {
      this.session = {};
      this.fresh = false;
      if (this.up && !this.closed && !this.options.isClosing()) logger.warn(redisLost(role, this.lastError || 'connection closed'));
      this.up = false;
      this.lastError = '';
      if (!this.closed && !this.options.isClosing()) hooks.lost(this);
    });
  }
}
