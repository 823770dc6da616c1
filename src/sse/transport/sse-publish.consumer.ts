import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { SseHub } from '../channel/sse-hub.service.js';
import { InvalidInputError, PayloadTooLargeError } from '../errors/index.js';
import type { ResolvedSseOptions } from '../interfaces/sse-module-options.interface.js';
import { SseMetrics } from '../metrics/sse-metrics.interface.js';
import { SSE_OPTIONS } from '../sse.tokens.js';
import { LogThrottle } from './log-throttle.js';
import { readPublishMessage, type AcceptedMessage } from './sse-publish-message.js';
import { SseTransportStats } from './sse-transport.stats.js';
import {
  MAX_PENDING_BYTES,
  MAX_PENDING_MESSAGES,
  REJECTION_LOG_LINES,
  REJECTION_LOG_WINDOW_MS,
  type SsePublishFailureReason,
  type SsePublishRejectReason,
} from './transport.constants.js';
import { backlogFull, publishNotStored, publishRejected, rejectionsNotLogged, unreadable } from './transport.messages.js';
import { errorMessage } from '../utils/error-message.util.js';

/**
 * Stores what other services emit on `sse.publish`, exactly once however many instances
 * consume it: every instance receives every message (Redis pub/sub) and publishes it with
 * its idempotency key, and the broker's publish script stores the first and answers the
 * others with the same id. Never throws: a bad message is logged and counted, and the next
 * one is read as usual.
 *
 * Order: messages of one channel are stored one after another in the order they arrived,
 * so every instance tries them in the sender's order and the stored order is the sender's.
 */
@Injectable()
export class SsePublishConsumer {
  private readonly logger = new Logger('SseTransport');
  private readonly log = new LogThrottle(
    (line) => this.logger.warn(line),
    (count, kind, windowMs) => rejectionsNotLogged(count, kind, windowMs),
    REJECTION_LOG_LINES,
    REJECTION_LOG_WINDOW_MS,
  );
  /** The last store queued per channel: the next one waits for it. */
  private readonly tails = new Map<string, Promise<void>>();
  private pendingBytes = 0;

  constructor(
    private readonly hub: SseHub,
    @Inject(SSE_OPTIONS) private readonly options: ResolvedSseOptions,
    readonly stats: SseTransportStats,
    @Optional() @Inject(SseMetrics) metrics?: SseMetrics,
  ) {
    metrics?.watchTransport(() => ({ consumed: stats.consumed, rejected: { ...stats.rejected, ...stats.failed } }));
  }

  /** Handles one received payload; resolves once it is stored, refused or given up. */
  consume(payload: unknown): Promise<void> {
    this.stats.received++;
    const read = readPublishMessage(payload, this.options.maxEventBytes);
    if (!read.ok) {
      this.reject(read.reason, read.detail, read.channel);
      return Promise.resolve();
    }
    if (this.stats.pending >= MAX_PENDING_MESSAGES || this.pendingBytes + read.bytes > MAX_PENDING_BYTES) {
      this.fail('backlog-full', backlogFull(this.stats.pending, this.pendingBytes), read.message.channel);
      return Promise.resolve();
    }
    return this.enqueue(read);
  }

  /** Counts and logs a message the transport itself could not read. */
  rejectUnreadable(detail: string): void {
    this.stats.received++;
    this.reject('unreadable', unreadable(detail));
  }

  private enqueue({ message, bytes }: AcceptedMessage): Promise<void> {
    const { channel } = message;
    this.stats.pending++;
    this.pendingBytes += bytes;
    const previous = this.tails.get(channel) ?? Promise.resolve();
    const stored = previous.then(() => this.store(message)).finally(() => {
      this.stats.pending--;
      this.pendingBytes -= bytes;
      if (this.tails.get(channel) === stored) this.tails.delete(channel);
    });
    this.tails.set(channel, stored);
    return stored;
  }

  private async store(message: AcceptedMessage['message']): Promise<void> {
    const { channel, event, data, idempotencyKey } = message;
    try {
      const published = await this.hub.publish(channel, event === undefined ? { data } : { event, data }, { idempotencyKey });
      if (published.duplicate) this.stats.duplicates++;
      else this.stats.stored++;
    } catch (error) {
      // The reader checked what the hub checks; these are here for a hub with stricter rules.
      if (error instanceof PayloadTooLargeError) this.reject('too-large', error.message, channel);
      else if (error instanceof InvalidInputError) this.reject('invalid-data', error.message, channel);
      else this.fail('unavailable', errorMessage(error), channel);
    }
  }

  private reject(reason: SsePublishRejectReason, detail: string, channel?: string): void {
    this.stats.rejected[reason]++;
    this.log.log(`rejected (${reason})`, publishRejected(reason, detail, channel));
  }

  private fail(reason: SsePublishFailureReason, detail: string, channel: string): void {
    this.stats.failed[reason]++;
    this.log.log(`not stored (${reason})`, publishNotStored(reason, detail, channel));
  }
}
