/**
 * The seam between channels and the transport that keeps instances in step. A broker
 * knows channels, never clients: subscriptions are per instance, and the channel layer
 * fans each event out to its local subscribers.
 */
import type { StreamPosition } from '../position/stream-position.js';

/** One stored event, as every instance sees it. */
export interface BrokerEvent {
  /** Where it is in its channel's stream, strictly increasing per channel; its text is the event's id. */
  readonly position: StreamPosition;
  /** Event type; `undefined` for the default (`message`). */
  readonly event: string | undefined;
  /** The payload as JSON text, serialized once by the publisher. */
  readonly data: string;
  /** When the broker stored it, in ms since the Unix epoch. */
  readonly time: number;
}

export interface PublishRequest {
  readonly event?: string;
  /** JSON text. */
  readonly data: string;
  /** Same key on the same channel within the kept history: the first event's id, nothing stored. */
  readonly idempotencyKey?: string;
}

export interface PublishResult {
  readonly position: StreamPosition;
  /** True when an earlier publish with the same idempotency key answered. */
  readonly duplicate: boolean;
}

/**
 * Why a position cannot be resumed: `trimmed`, older than the kept history; `unknown`, from
 * another epoch (the stream was lost and recreated) or not a position at all.
 */
export const RESET_REASONS = ['trimmed', 'unknown'] as const;
export type ResetReason = (typeof RESET_REASONS)[number];

export interface HistoryQuery {
  /** Exclusive lower bound. Without it: the newest `limit` events. */
  readonly after?: StreamPosition;
  /** At most this many events (0 asks for the positions only). */
  readonly limit: number;
}

export interface HistoryPage {
  /** Oldest first. */
  readonly events: readonly BrokerEvent[];
  /**
   * The newest stored event's position, or on an empty channel the start of its current
   * epoch (`head.isStart`): resuming from it misses nothing published after this answer.
   */
  readonly head: StreamPosition;
  /**
   * Set when `after` cannot be resumed from: events after it were trimmed away, or it is
   * not a position of this channel's current epoch. `events` is then empty.
   */
  readonly reset?: ResetReason;
}

/** Receives a channel's live events in publish order. */
export interface BrokerListener {
  onEvent(event: BrokerEvent): void;
  /**
   * The broker may have missed live events (its connection dropped and came back). The
   * listener reads the history after the last id it saw to fill the gap.
   */
  onResync?(): void;
}

export interface BrokerSubscription {
  unsubscribe(): Promise<void>;
}

export interface Broker {
  /** Stores the event and fans it out to every instance; resolves once it is stored. */
  publish(channel: string, request: PublishRequest): Promise<PublishResult>;
  /**
   * Resolves once live delivery is guaranteed: every event stored after that moment reaches
   * the listener. Subscriptions are reference-counted per channel.
   */
  subscribe(channel: string, listener: BrokerListener): Promise<BrokerSubscription>;
  history(channel: string, query: HistoryQuery): Promise<HistoryPage>;
  close(): Promise<void>;
}

/** An extra ability: a broker that can check it reaches its backend right now. */
export interface BrokerHealth {
  /** Resolves when the backend answers; rejects with `BrokerUnavailableError` otherwise. */
  ping(): Promise<void>;
}

/** Injection token of the active broker (an interface has no runtime value of its own). */
export const Broker = Symbol('Broker');
