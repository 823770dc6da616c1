import type { EventMap } from '../sse/interfaces/channel.interface.js';

export type { EventMap };

/** Where a stream is: opening, receiving, waiting to reopen, or shut by the client. */
export type ConnectionStatus = 'connecting' | 'open' | 'reconnecting' | 'closed';

export interface ConnectionState {
  readonly status: ConnectionStatus;
  /** The gateway instance serving the stream (`sse.connected`, else `X-Instance-Id`); `null` when unknown. */
  readonly instance: string | null;
  /** The position a reopen resumes from. */
  readonly lastEventId: string | null;
  /** Failed attempts since the stream was last open. */
  readonly attempt: number;
  /** Why the last attempt failed (`HTTP 503`, a network error, `stream ended`). */
  readonly error: string | null;
}

/** What the gateway sends when a position cannot be resumed: reload state (e.g. with `sync`). */
export interface ResetData {
  readonly reason: 'trimmed' | 'unknown';
  readonly head: string;
}

/** Any event as it travels from the stream to subscribers (data parsed from JSON). */
export interface WireEvent {
  readonly channel: string;
  readonly event: string;
  /** The stream's id: the channel's event id, or on a several-channel stream an opaque token. */
  readonly id: string;
  readonly data: unknown;
}

/** An event of an event map, typed by its name: narrowing on `event` narrows `data`. */
export type ChannelEvent<M extends EventMap> =
  | { [K in keyof M & string]: { readonly channel: string; readonly event: K; readonly id: string; readonly data: M[K] } }[keyof M & string]
  | { readonly channel: string; readonly event: 'reset'; readonly id: string; readonly data: ResetData };

/**
 * Messages a stream hub sends to each subscriber. `position` reports a move that no event
 * shows (the sync answer, an id-only frame): with the events' ids it tells a subscriber
 * where to resume if the hub holding its stream goes away (a leader tab closing).
 */
export type HubMessage =
  | { readonly kind: 'event'; readonly event: WireEvent }
  | { readonly kind: 'state'; readonly state: ConnectionState }
  | { readonly kind: 'position'; readonly url: string };

/** What a subscription asks the hub for. */
export interface StreamSpec {
  /** Absolute base URL of the gateway (`https://host/prefix`). */
  readonly baseUrl: string;
  readonly channels: readonly string[];
  /** Open here (a `POST /sync` url) instead of at the channel's current head. */
  readonly startUrl?: string;
}

/** Where streams live: in this page, or shared by every tab of the origin. */
export interface StreamTransport {
  subscribe(spec: StreamSpec, listener: (message: HubMessage) => void): () => void;
  close(): void;
}
