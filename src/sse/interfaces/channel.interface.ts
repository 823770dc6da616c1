/**
 * Event types and their payloads, declared once and used by both sides: the publisher
 * (`Channel<OrderEvents>`) and the browser client.
 *
 * ```ts
 * type OrderEvents = { 'order.created': Order; 'order.shipped': { id: string } };
 * ```
 */
export type EventMap = Record<string, unknown>;

/** What `Channel.next()` accepts: a type of the map and its payload. */
export type OutgoingEvent<M extends EventMap> = {
  [K in keyof M & string]: string extends K
    ? { readonly event?: string; readonly data: M[K] }
    : K extends 'message'
      ? { readonly event?: K; readonly data: M[K] }
      : { readonly event: K; readonly data: M[K] };
}[keyof M & string];

/** Any event, untyped: what the hub publishes. */
export interface AnyOutgoingEvent {
  readonly event?: string;
  readonly data: unknown;
}

export interface PublishOptions {
  /** Makes a retry safe: the same key on the same channel stores the event once. */
  readonly idempotencyKey?: string;
}

export interface PublishedEvent {
  readonly id: string;
  readonly channel: string;
  /** True when an earlier publish with the same idempotency key answered. */
  readonly duplicate: boolean;
}

export interface StreamOptions {
  /** The client's position (`Last-Event-ID`): events after it are replayed first. */
  readonly lastEventId?: string;
}

/** One event of the JSON history (`GET /channels/:channel/events`, `Accept: application/json`). */
export interface HistoryEvent {
  readonly id: string;
  readonly event: string;
  readonly data: unknown;
  /** ISO 8601. */
  readonly time: string;
}
