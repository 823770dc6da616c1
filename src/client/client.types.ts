import type { EventMap } from '../sse/interfaces/channel.interface.js';

export type { EventMap };

/**
 * Where a stream is: opening, receiving, waiting to reopen, shut by the client (or refused
 * for good: a 400), or `unauthorized`: the gateway refused the token (a 403, or a 401 that a
 * fresh token did not cure) and the stream stopped without retrying; `error` says why.
 */
export type ConnectionStatus = 'connecting' | 'open' | 'reconnecting' | 'closed' | 'unauthorized';

export interface ConnectionState {
  readonly status: ConnectionStatus;
  /** The gateway instance serving the stream (`sse.connected`, else `X-Instance-Id`); `null` when unknown. */
  readonly instance: string | null;
  /** The position a reopen resumes from. */
  readonly lastEventId: string | null;
  /** Failed attempts since the stream was last open. */
  readonly attempt: number;
  /** Why the last attempt failed (`HTTP 503`, `HTTP 403: <the gateway's message>`, a network error, `stream ended`, `token expired`). */
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

/**
 * The app's token source: a token that is valid now (for `Authorization: Bearer`). Called
 * whenever one is needed (each `POST /sync` and publish, and after a token expired), so
 * it should answer from a cache while its token has life left, and refresh otherwise.
 */
export type GetToken = () => string | Promise<string>;

/** How a stream's requests are authorized: what travels to a SharedWorker or leader tab (no functions). */
export interface StreamAuth {
  /** The subscribing tab gives `Authorization: Bearer` tokens (it has `getToken`); the hub asks it for one at each `POST /sync`. */
  readonly bearer: boolean;
  /** `fetch` credentials mode, for the `sse_token` cookie (`include` for a gateway on another origin). */
  readonly credentials?: 'omit' | 'same-origin' | 'include';
}

/** What a subscription asks the hub for. */
export interface StreamSpec {
  /** Absolute base URL of the gateway (`https://host/prefix`). */
  readonly baseUrl: string;
  readonly channels: readonly string[];
  /** Open here (a `POST /sync` url, possibly carrying a stream token) instead of at the channel's current head. */
  readonly startUrl?: string;
  /** Streams are shared only between subscriptions authorized the same way. */
  readonly auth?: StreamAuth;
}

/** Where streams live: in this page, or shared by every tab of the origin. */
export interface StreamTransport {
  subscribe(spec: StreamSpec, listener: (message: HubMessage) => void): () => void;
  close(): void;
}
