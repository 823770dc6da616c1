import { Redis, type RedisOptions } from 'ioredis';
import { BrokerUnavailableError, InvalidInputError, SseError } from '../errors/index.js';
import { SSE_DEFAULTS } from '../sse.constants.js';
import {
  brokerClosed,
  brokerTimeout,
  invalidEventType,
  redisBadLiveMessage,
  redisConnected,
  redisLost,
  redisNotReadyAtStart,
  redisReconnected,
  redisRefused,
  redisResyncFailed,
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
import { newEpoch } from './epoch.util.js';
import { redisChannelKeys } from './redis-keys.util.js';
import { compareRedisPositions, parseStreamPosition } from './redis-position.util.js';
import { decodeLiveMessage, defineScripts, parseHistoryReply, parsePublishReply, type RedisScripts } from './redis-scripts.js';

export interface RedisBrokerLogger {
  log(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export interface RedisBrokerOptions {
  /** `redis://` or `rediss://` URL (may carry user, password and db). */
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
  /** Both connections are PINGed this often, so a silently dead one is replaced; default 5 s. */
  healthCheckMs?: number;
}

const CONNECT_WAIT_MS = 5_000;
const MAX_RETRY_DELAY_MS = 2_000;
const NOT_SUBSCRIBED = -1;
const silent: RedisBrokerLogger = { log() {}, warn() {}, error() {} };
const noop = () => undefined;

interface Registration {
  readonly listener: BrokerListener;
  /**
   * Subscriber connection generation this listener is known to be complete on (it either
   * subscribed on it or was told to resync); NOT_SUBSCRIBED while its subscribe runs.
   */
  seenOn: number;
}

/** One channel's local listeners and its Redis subscription (one SUBSCRIBE, counted). */
interface ChannelEntry {
  readonly channel: string;
  readonly live: string;
  readonly registrations: Set<Registration>;
  /** Generation of the subscriber connection on which Redis acknowledged SUBSCRIBE. */
  subscribedOn: number;
  /** Subscribe/unsubscribe steps of this channel run one after the other. */
  tail: Promise<unknown>;
  pending: number;
}

/**
 * Redis Streams for history, pub/sub for live delivery, one Lua script per publish (store,
 * trim, idempotency, fan-out in one atomic step) and per history read. Two connections per
 * instance: commands, and one subscriber for every channel.
 */
export class RedisBroker implements Broker, BrokerHealth {
  private readonly cmd: Redis;
  private readonly sub: Redis;
  private readonly scripts: RedisScripts;
  private readonly entries = new Map<string, ChannelEntry>();
  private readonly prefix: string;
  private readonly timeoutMs: number;
  private readonly logger: RedisBrokerLogger;
  /** Bumped whenever the subscriber connection closes: its subscriptions died with it. */
  private subGen = 0;
  /** Last connection error of either connection, for the operator's log. */
  private lastError = '';
  private healthTimer: NodeJS.Timeout | undefined;
  private closing: Promise<void> | undefined;

  constructor(private readonly options: RedisBrokerOptions) {
    if (!Number.isInteger(options.historyLimit) || options.historyLimit < 1) {
      throw new RangeError('historyLimit must be a positive integer');
    }
    this.prefix = options.keyPrefix ?? SSE_DEFAULTS.keyPrefix;
    this.timeoutMs = options.commandTimeoutMs ?? SSE_DEFAULTS.publishTimeoutMs;
    this.logger = options.logger ?? silent;
    const name = options.connectionName ?? 'sse';
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
      retryStrategy: (times) => Math.min(50 * 2 ** Math.min(times, 6), MAX_RETRY_DELAY_MS) + Math.floor(Math.random() * 100),
    };
    this.cmd = new Redis(options.url, { ...common, connectionName: `${name}:cmd` });
    // We re-subscribe ourselves after a reconnect: ioredis would do it fire-and-forget, with
    // no way to know when it is confirmed, and would also revive channels whose UNSUBSCRIBE
    // failed during the outage.
    this.sub = new Redis(options.url, { ...common, connectionName: `${name}:sub`, autoResubscribe: false });
    this.scripts = defineScripts(this.cmd);
    this.watch(this.cmd, 'command');
    this.watch(this.sub, 'subscriber');
    this.sub.on('message', (live: string, message: string) => this.dispatch(live, message));
  }

  /** Connects both connections; waits up to 5 s, but never fails: ioredis keeps retrying. */
  async connect(): Promise<void> {
    this.assertOpen();
    let timer: NodeJS.Timeout | undefined;
    const ready = await Promise.race([
      Promise.all([whenReady(this.cmd), whenReady(this.sub)]).then(() => true),
      new Promise<false>((resolve) => (timer = setTimeout(resolve, CONNECT_WAIT_MS, false))),
    ]);
    clearTimeout(timer);
    if (!ready) this.logger.warn(redisNotReadyAtStart(CONNECT_WAIT_MS, this.lastError || 'no answer'));
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
    return parsePublishReply(await this.run(() => this.scripts.publish(keys, args)));
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
    let entry = this.entries.get(live);
    if (!entry) {
      entry = { channel, live, registrations: new Set(), subscribedOn: NOT_SUBSCRIBED, tail: Promise.resolve(), pending: 0 };
      this.entries.set(live, entry);
    }
    const target = entry;
    return this.serialize(target, async () => {
      this.assertOpen();
      // Registered before SUBSCRIBE is sent: a message right behind the acknowledgement
      // (same read, dispatched before this step resumes) reaches the listener too.
      const registration: Registration = { listener, seenOn: NOT_SUBSCRIBED };
      target.registrations.add(registration);
      try {
        if (target.subscribedOn !== this.subGen) await this.redisSubscribe(target);
      } catch (error) {
        target.registrations.delete(registration);
        throw error;
      }
      registration.seenOn = target.subscribedOn;
      let released = false;
      return {
        unsubscribe: async () => {
          if (released) return;
          released = true;
          await this.release(target, registration);
        },
      };
    });
  }

  compare(a: string, b: string): number {
    return compareRedisPositions(a, b);
  }

  /** Health: resolves when both connections answer PING in time, else BrokerUnavailableError. */
  async ping(): Promise<void> {
    this.assertOpen();
    await Promise.all([this.run(() => this.cmd.ping()), this.run(() => this.sub.ping())]);
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      clearInterval(this.healthTimer);
      for (const entry of this.entries.values()) entry.registrations.clear();
      this.entries.clear();
      await Promise.all([this.quit(this.cmd), this.quit(this.sub)]);
    })();
    return this.closing;
  }

  /** Detaches at once; the UNSUBSCRIBE (if it was the last listener) never fails the caller. */
  private release(entry: ChannelEntry, registration: Registration): Promise<void> {
    entry.registrations.delete(registration);
    return this.serialize(entry, async () => {
      if (entry.registrations.size > 0 || entry.subscribedOn !== this.subGen || this.closing) return;
      // Whatever the answer, a later subscribe re-subscribes (SUBSCRIBE is idempotent).
      entry.subscribedOn = NOT_SUBSCRIBED;
      await this.run(() => this.sub.unsubscribe(entry.live)).catch(noop);
    });
  }

  private async redisSubscribe(entry: ChannelEntry): Promise<void> {
    const gen = this.subGen;
    try {
      await this.run(() => this.sub.subscribe(entry.live));
      entry.subscribedOn = gen;
    } catch (error) {
      // A SUBSCRIBE that timed out may still be executed: take it back. Sent now, before
      // the next step of this channel starts, so Redis sees the two in this order.
      if (gen === this.subGen && this.sub.status === 'ready') this.sub.unsubscribe(entry.live).catch(noop);
      throw error;
    }
  }

  /** After the subscriber connection came back: re-subscribe every channel, then resync. */
  private resubscribeAll(): void {
    const gen = this.subGen;
    for (const entry of this.entries.values()) {
      this.serialize(entry, async () => {
        if (gen !== this.subGen || this.closing || entry.registrations.size === 0) return;
        if (entry.subscribedOn !== gen) await this.redisSubscribe(entry);
        if (gen === this.subGen) for (const registration of [...entry.registrations]) this.resyncIfBehind(registration);
      }).catch((error: unknown) => {
        if (gen !== this.subGen || this.closing) return; // a newer connection resyncs again
        this.logger.warn(redisResyncFailed(reasonOf(error)));
        this.reconnectSubscriber();
      });
    }
  }

  private serialize<T>(entry: ChannelEntry, step: () => Promise<T>): Promise<T> {
    entry.pending++;
    const result = entry.tail.then(step);
    entry.tail = result.catch(noop).finally(() => {
      if (--entry.pending === 0 && entry.registrations.size === 0 && this.entries.get(entry.live) === entry) {
        this.entries.delete(entry.live);
      }
    });
    return result;
  }

  private dispatch(live: string, message: string): void {
    const entry = this.entries.get(live);
    if (!entry || entry.registrations.size === 0) return;
    const event = decodeLiveMessage(message);
    if (!event) return this.logger.warn(redisBadLiveMessage(entry.channel));
    // A copy: a listener may unsubscribe (or another subscribe) while we iterate.
    for (const registration of [...entry.registrations]) {
      this.resyncIfBehind(registration);
      guard(() => registration.listener.onEvent(event));
    }
  }

  /**
   * Tells a listener subscribed before the last drop to fill the gap, once the channel is
   * subscribed again. Also called from dispatch: messages right behind the re-SUBSCRIBE
   * acknowledgement are dispatched before the resync step resumes, and the listener must
   * hear of the gap before it sees (and moves its position to) any of them.
   */
  private resyncIfBehind(registration: Registration): void {
    if (registration.seenOn === this.subGen || registration.seenOn === NOT_SUBSCRIBED) return;
    registration.seenOn = this.subGen;
    guard(() => registration.listener.onResync?.());
  }

  /** Bounds a Redis call by the command timeout and turns every failure into a 503 error. */
  private async run<T>(work: () => Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('Command timed out')), this.timeoutMs);
    });
    try {
      return await Promise.race([work(), expired]);
    } catch (error) {
      throw toUnavailable(error, this.timeoutMs);
    } finally {
      clearTimeout(timer);
    }
  }

  private watch(conn: Redis, role: 'command' | 'subscriber'): void {
    let everReady = false;
    let up = false;
    let lastError = '';
    conn.on('error', (error: Error) => (lastError = this.lastError = error.message));
    conn.on('ready', () => {
      up = true;
      this.logger.log((everReady ? redisReconnected : redisConnected)(role));
      if (everReady && conn === this.sub) this.resubscribeAll();
      everReady = true;
    });
    conn.on('close', () => {
      if (conn === this.sub) this.subGen++;
      if (up && !this.closing) this.logger.warn(redisLost(role, lastError || 'connection closed'));
      up = false;
      lastError = '';
    });
  }

  /** A connection can die silently (half-open TCP): only a PING notices before keepalive does. */
  private checkHealth(): void {
    for (const conn of [this.cmd, this.sub]) {
      if (conn.status !== 'ready') continue;
      const gen = this.subGen;
      this.run(() => conn.ping()).catch((error: unknown) => {
        if (this.closing || conn.status !== 'ready' || (conn === this.sub && gen !== this.subGen)) return;
        this.logger.warn(redisUnresponsive(conn === this.sub ? 'subscriber' : 'command', reasonOf(error)));
        if (conn === this.sub) this.reconnectSubscriber();
        else conn.disconnect(true);
      });
    }
  }

  private reconnectSubscriber(): void {
    this.subGen++; // at once, so other failing steps of this generation do not reconnect again
    this.sub.disconnect(true);
  }

  private async quit(conn: Redis): Promise<void> {
    if (conn.status === 'ready') {
      try {
        await this.run(() => conn.quit());
        return;
      } catch {
        // no answer: drop the socket below
      }
    }
    conn.disconnect();
  }

  private assertOpen(): void {
    if (this.closing) throw new BrokerUnavailableError(brokerClosed);
  }
}

function whenReady(conn: Redis): Promise<void> {
  if (conn.status === 'ready') return Promise.resolve();
  const ready = new Promise<void>((resolve) => conn.once('ready', () => resolve()));
  if (conn.status === 'wait') conn.connect().catch(noop); // failures: retried, and logged by watch()
  return ready;
}

/** A listener that throws must not stop delivery to the others. */
function guard(call: () => void): void {
  try {
    call();
  } catch {
    // The channel layer's listeners do not throw; a foreign one is isolated here.
  }
}

function toUnavailable(error: unknown, timeoutMs: number): SseError {
  if (error instanceof SseError) return error;
  const message = error instanceof Error ? error.message : String(error);
  const detail =
    message === 'Command timed out'
      ? brokerTimeout(timeoutMs)
      : error instanceof Error && error.name === 'ReplyError'
        ? redisRefused
        : redisUnreachable;
  const wrapped = new BrokerUnavailableError(detail);
  wrapped.cause = error;
  return wrapped;
}

function reasonOf(error: unknown): string {
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
  return cause instanceof Error ? cause.message : String(cause);
}
