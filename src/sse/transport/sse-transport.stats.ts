import { Injectable } from '@nestjs/common';
import {
  SSE_PUBLISH_FAILURE_REASONS,
  SSE_PUBLISH_REJECT_REASONS,
  type SsePublishFailureReason,
  type SsePublishRejectReason,
} from './transport.constants.js';

/** The counts at one moment, as plain data (for metrics, health pages, tests). */
export interface SseTransportCounts {
  /** Messages handed to this instance's consumer, whatever became of them. */
  readonly received: number;
  /** Valid messages handled: `stored` + `duplicates`. */
  readonly consumed: number;
  /** Events this instance stored. */
  readonly stored: number;
  /** Valid messages whose key was already stored (by another instance, or a resent message). */
  readonly duplicates: number;
  /** Invalid messages, by reason. */
  readonly rejected: Readonly<Record<SsePublishRejectReason, number>>;
  /** Valid messages this instance could not store, by reason (another instance may have). */
  readonly failed: Readonly<Record<SsePublishFailureReason, number>>;
  /** Valid messages waiting to be stored now. */
  readonly pending: number;
}

/**
 * What the `sse.publish` consumer of this instance did since it started: counters only ever
 * grow (except `pending`). Provided by `SseModule.forRoot({ transport: true })`; inject it
 * (`@Optional()` when the transport may be off) to export the counts as metrics.
 */
@Injectable()
export class SseTransportStats {
  received = 0;
  stored = 0;
  duplicates = 0;
  pending = 0;
  readonly rejected = zeros(SSE_PUBLISH_REJECT_REASONS);
  readonly failed = zeros(SSE_PUBLISH_FAILURE_REASONS);

  get consumed(): number {
    return this.stored + this.duplicates;
  }

  snapshot(): SseTransportCounts {
    return {
      received: this.received,
      consumed: this.consumed,
      stored: this.stored,
      duplicates: this.duplicates,
      rejected: { ...this.rejected },
      failed: { ...this.failed },
      pending: this.pending,
    };
  }
}

function zeros<K extends string>(keys: readonly K[]): Record<K, number> {
  return Object.fromEntries(keys.map((key) => [key, 0])) as Record<K, number>;
}
