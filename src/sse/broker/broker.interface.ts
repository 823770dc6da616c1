/**
 * The seam between channels and the transport that keeps instances in step. A broker
 * knows channels, never clients: subscriptions are per instance, and the channel layer
 * fans each event out to its local subscribers.
 */

/** One stored event, as every instance sees it. */
export interface BrokerEvent {
  /** Opaque position, strictly increasing per channel; carries the stream's epoch. */
  readonly id: string;
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
  readonly id: string;
  /** True when an earlier publish with the same idempotency key answered. */
  readonly duplicate: boolean;
}

export type ResetReason = 'trimmed' | 'unknown';

export interface HistoryQuery {
  /** Exclusive lower bound. Without it: the newest `limit` events. */
  readonly after?: string;
  /** At most this many events (0 asks for the positions only). */
  readonly limit: number;
}

export interface HistoryPage {
  /** Oldest first. */
  readonly events: readonly BrokerEvent[];
  /** Id of the newest stored event, `null` on an empty channel. */
  readonly head: string | null;
  /**
   * A position to resume from that misses nothing published after this answer: the head,
   * or on an empty channel a position meaning "from the start".
   */
  readonly cursor: string;
  /** The position before the first event of the stream's current epoch ("from the start"). */
  readonly origin: string;
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
  /** Orders two positions of one channel (negative, zero, positive). */
  compare(a: string, b: string): number;
  close(): Promise<void>;
}

/** An extra ability: a broker that can check it reaches its backend right now. */
export interface BrokerHealth {
  /** Resolves when the backend answers; rejects with `BrokerUnavailableError` otherwise. */
  ping(): Promise<void>;
}

/** Injection token of the active broker (an interface has no runtime value of its own). */
export const Broker = Symbol('Broker');
