import { Logger } from '@nestjs/common';
import { ServerRedis, type MessageHandler, type RedisStatus } from '@nestjs/microservices';
import type { Redis } from 'ioredis';
import { backoff } from '../broker/redis-call.util.js';
import { OversizedMessage } from './sse-publish-message.js';
import type { RedisTransportOptions } from './sse-transport.options.js';
import { SSE_PUBLISH_PATTERN, TRANSPORT_CONNECT_WAIT_MS } from './transport.constants.js';
import { transportNotReadyAtStart, transportRedisBack, transportRedisLost, transportSubscribeFailed } from './transport.messages.js';
import { errorMessage } from '../utils/error-message.util.js';

/** Longest wait between reconnection attempts, ms (the broker's own policy, `backoff`). */
const MAX_RETRY_DELAY_MS = 2_000;

/** What the consumer wants to hear from the transport. */
export interface SseRedisServerHooks {
  /** Longest raw message read, in characters; a longer one reaches the handler as an `OversizedMessage`. */
  readonly maxMessageChars: number;
  /** A message Nest could not read (its deserializer or handler chain threw). */
  onUnreadable(detail: string): void;
}

/**
 * Nest's Redis transport (`ServerRedis`, same wire format, same `ClientProxy`), serving only
 * `sse.publish`, with what a gateway needs besides:
 *
 * - **starts without Redis**: Nest's own gives up for good when Redis does not answer at
 *   start (ioredis' first `connect()` fails while it goes on retrying, and nothing ever
 *   subscribes); this one subscribes whenever the connection comes up, and lets the
 *   application start after `TRANSPORT_CONNECT_WAIT_MS`;
 * - **reconnects forever** with the broker's backoff, logging a loss and a recovery once
 *   each instead of a line per attempt;
 * - **reads nothing huge**: a message longer than `maxMessageChars` is handed on unread;
 * - **counts what Nest cannot read** instead of logging it as a transport error;
 * - **closes at once**, also while Redis is away (`QUIT` would wait for it).
 */
export class SseRedisServer extends ServerRedis {
  protected override readonly logger = new Logger('SseTransport');

  constructor(
    options: RedisTransportOptions,
    private readonly hooks: SseRedisServerHooks,
  ) {
    super(options);
  }

  /** Only `sse.publish`: the application's other handlers belong to its own transports. */
  override addHandler(pattern: unknown, callback: MessageHandler, isEventHandler?: boolean, extras?: Record<string, unknown>): void {
    if (this.normalizePattern(pattern as string) !== SSE_PUBLISH_PATTERN) return;
    super.addHandler(pattern, callback, isEventHandler, extras);
  }

  override start(callback?: () => void): void {
    const sub = this.subClient as Redis;
    const pub = this.pubClient as Redis;
    let bound = false;
    const subscribed = Promise.all([sub, pub].map(untilReady)).then(async () => {
      if (this.isManuallyClosed) return;
      await this.bindEvents(sub, pub);
      bound = true;
    });
    let timer: NodeJS.Timeout | undefined;
    const waited = new Promise<void>((resolve) => (timer = setTimeout(resolve, TRANSPORT_CONNECT_WAIT_MS)));
    void Promise.race([subscribed, waited]).then(() => {
      clearTimeout(timer);
      if (!bound) this.logger.warn(transportNotReadyAtStart(TRANSPORT_CONNECT_WAIT_MS));
      callback?.();
    });
  }

  /** Subscribes (awaited and caught: Nest's own leaves a failed SUBSCRIBE as an unhandled rejection). */
  override async bindEvents(subClient: Redis, pubClient: Redis): Promise<void> {
    subClient.on('message', this.getMessageHandler(pubClient).bind(this));
    try {
      await subClient.subscribe(...this.messageHandlers.keys());
    } catch (error) {
      this.logger.warn(transportSubscribeFailed(errorMessage(error)));
    }
  }

  override parseMessage(content: unknown): Record<string, unknown> {
    if (typeof content === 'string' && content.length > this.hooks.maxMessageChars) {
      return new OversizedMessage(content.length, this.hooks.maxMessageChars) as unknown as Record<string, unknown>;
    }
    return super.parseMessage(content);
  }

  protected override handleError(error: unknown): void {
    this.hooks.onUnreadable(errorMessage(error));
  }

  override registerErrorListener(client: Redis): void {
    // The subscriber speaks for both: the publisher only answers requests, which sse.publish has none of.
    const speaks = client === this.subClient;
    let lost = false;
    client.on('error', (error: Error) => {
      if (lost || this.isManuallyClosed) return;
      lost = true;
      if (speaks) this.logger.warn(transportRedisLost(error.message));
    });
    client.on('ready', () => {
      if (!lost) return;
      lost = false;
      if (speaks) this.logger.log(transportRedisBack);
    });
  }

  override registerReconnectListener(client: Redis): void {
    client.on('reconnecting', () => {
      if (!this.isManuallyClosed) this._status$.next('reconnecting' as RedisStatus);
    });
  }

  override registerReadyListener(client: Redis): void {
    client.on('ready', () => this._status$.next('connected' as RedisStatus));
  }

  override createRetryStrategy(times: number): number | undefined {
    return this.isManuallyClosed ? undefined : backoff(times, MAX_RETRY_DELAY_MS);
  }

  override async close(): Promise<void> {
    this.isManuallyClosed = true;
    (this.subClient as Redis | undefined)?.disconnect();
    (this.pubClient as Redis | undefined)?.disconnect();
    this.pendingEventListeners = [];
  }
}

/** Resolves once the connection is ready, connecting it; a failed first attempt is retried by ioredis. */
function untilReady(client: Redis): Promise<void> {
  const ready = new Promise<void>((resolve) => client.once('ready', () => resolve()));
  client.connect().catch(() => undefined);
  return ready;
}
