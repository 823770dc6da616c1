/// <reference lib="dom" />
import { Observable, filter, map } from 'rxjs';
import { BASE_URL_REQUIRED, CHANNEL_REQUIRED, publishFailed, syncFailed } from './client.messages.js';
import type {
  ChannelEvent,
  ConnectionState,
  EventMap,
  GetToken,
  HubMessage,
  StreamAuth,
  StreamSpec,
  StreamTransport,
  WireEvent,
} from './client.types.js';
import { HttpStatusError } from './errors/http-status.error.js';
import type { BackoffOptions } from './hub/backoff.util.js';
import { joinUrl } from './hub/stream-url.util.js';
import { LocalTransport } from './transport/local.transport.js';
import { LeaderTabTransport } from './transport/leader-tab.transport.js';
import { SharedWorkerTransport } from './transport/shared-worker.transport.js';

export interface SseClientOptions {
  /** The gateway's base URL (default: this page's origin). */
  readonly baseUrl?: string;
  /**
   * Share one connection per stream among every tab of the origin (default `true`): through
   * a SharedWorker where the browser has one, else through a leader tab elected with a Web
   * Lock that relays over a BroadcastChannel. `'leader'` forces the latter; `false`: this
   * page holds its own streams.
   */
  readonly shared?: boolean | 'leader';
  /** The worker script (default `shared-worker.js` beside this module). */
  readonly workerUrl?: string | URL;
  /** Reconnection waits (jittered; default 1 s doubling up to 30 s; the server's `retry:` replaces the first). */
  readonly backoff?: BackoffOptions;
  /** How long an unused stream stays open before it is closed, ms (default 250). */
  readonly lingerMs?: number;
  /**
   * A `fetch` of your own (tests, Node). It cannot travel to a SharedWorker or another tab,
   * so a client given one holds its own streams; for authorization use `getToken` and
   * `credentials`, which work with tab sharing.
   */
  readonly fetch?: typeof fetch;
  /**
   * Authorization with bearer tokens: called for a token valid now whenever one is needed,
   * which goes as `Authorization: Bearer` on `POST /sync` and on publishes. Streams open the
   * url the sync answers (it carries a short-lived stream token of the gateway's own), so
   * your token never travels in a URL. When the token expires (`sse.token-expired`) or a
   * stream url is refused with a 401, the client asks for a fresh token and syncs again
   * from its last id: nothing lost or repeated. A 403, or a 401 that a fresh token does not
   * cure, ends in `status: 'unauthorized'`. With tab sharing the worker (or leader tab)
   * asks the tab that subscribed for the token by message. Answer from a cache while the
   * token has life left; a rejection is retried after the backoff.
   */
  readonly getToken?: GetToken;
  /**
   * `fetch` credentials mode for every request (`include` for a gateway on another origin),
   * so the browser sends the `sse_token` cookie; same-origin requests carry it by default.
   * Publishing still needs `getToken`: the gateway never takes a cookie for it (CSRF).
   */
  readonly credentials?: 'omit' | 'same-origin' | 'include';
}

/** The answer of `POST /sync`. */
export interface SyncPosition {
  readonly channels: readonly string[];
  /** The head when the sync was answered (`null`: the channel was empty). */
  readonly lastEventId: string | null;
  /** The stream url that continues from exactly there. */
  readonly url: string;
}

/**
 * One stream of one or several channels. `events$` and `state$` are cold: subscribing opens
 * the stream (shared with every other subscriber of the same channels, in this tab and, by
 * default, in every tab of the origin), unsubscribing the last one closes it.
 */
export class ClientChannel<M extends EventMap = EventMap> {
  /** Every event, in order, once; `reset` when the position could not be resumed. */
  readonly events$: Observable<ChannelEvent<M>>;
  /** The connection: `connecting`, `open`, `reconnecting`, `closed`, `unauthorized`, with the serving instance. */
  readonly state$: Observable<ConnectionState>;

  constructor(
    private readonly transport: StreamTransport,
    readonly spec: StreamSpec,
    /** Set when the channel was opened with `SseClient.sync`: the position it starts from. */
    readonly position?: SyncPosition,
  ) {
    const messages$ = new Observable<HubMessage>((subscriber) => this.transport.subscribe(spec, (m) => subscriber.next(m)));
    this.events$ = messages$.pipe(
      filter((m): m is Extract<HubMessage, { kind: 'event' }> => m.kind === 'event'),
      map((m) => m.event as ChannelEvent<M>),
    );
    this.state$ = messages$.pipe(
      filter((m): m is Extract<HubMessage, { kind: 'state' }> => m.kind === 'state'),
      map((m) => m.state),
    );
  }

  get channels(): readonly string[] {
    return this.spec.channels;
  }

  /** Only the events of one type, data typed from the event map. */
  on<K extends keyof M & string>(event: K): Observable<Extract<ChannelEvent<M>, { event: K }>> {
    return this.events$.pipe(filter((e): e is Extract<ChannelEvent<M>, { event: K }> => e.event === event));
  }
}

/**
 * The browser client of the gateway.
 *
 * ```ts
 * const client = new SseClient();
 * client.channel<OrderEvents>('orders').events$.subscribe((e) => {
 *   if (e.event === 'order.created') render(e.data); // e.data: Order
 * });
 * ```
 */
export class SseClient {
  readonly baseUrl: string;
  private readonly transport: StreamTransport;
  private readonly fetchFn: typeof fetch;
  /** How this client's streams are authorized: part of what they are shared by. */
  private readonly auth: StreamAuth | undefined;

  constructor(private readonly options: SseClientOptions = {}) {
    const origin = typeof location !== 'undefined' ? location.href : undefined;
    if (!options.baseUrl && !origin) throw new Error(BASE_URL_REQUIRED);
    this.baseUrl = new URL(options.baseUrl ?? '/', origin).href.replace(/\/+$/, '');
    this.fetchFn = options.fetch ?? globalThis.fetch.bind(globalThis);
    const { getToken, credentials } = options;
    this.auth = getToken || credentials ? { bearer: getToken !== undefined, ...(credentials ? { credentials } : {}) } : undefined;
    this.transport = this.createTransport();
  }

  /** How streams are held: by a SharedWorker, a leader tab, or this page alone (`local`). */
  get sharing(): 'worker' | 'leader' | 'local' {
    if (this.transport instanceof SharedWorkerTransport) return 'worker';
    return this.transport instanceof LeaderTabTransport ? 'leader' : 'local';
  }

  /** True when streams are shared by the tabs of the origin. */
  get shared(): boolean {
    return this.sharing !== 'local';
  }

  /** With a leader tab: whether this tab holds the streams now. */
  get leading(): boolean {
    return this.transport instanceof LeaderTabTransport ? this.transport.leading : this.sharing === 'local';
  }

  private createTransport(): StreamTransport {
    const { shared = true, backoff, lingerMs, getToken } = this.options;
    const local = () => new LocalTransport({ backoff, lingerMs, fetch: this.fetchFn, getToken });
    // A fetch of the caller's cannot travel to another context: such a client keeps its streams.
    if (shared === false || this.options.fetch !== undefined) return local();
    const canLead = typeof BroadcastChannel !== 'undefined' && typeof navigator !== 'undefined' && navigator.locks !== undefined;
    const leader = () => (canLead ? new LeaderTabTransport({ backoff, lingerMs, getToken }) : local());
    if (shared === 'leader' || typeof SharedWorker === 'undefined') return leader();
    return new SharedWorkerTransport({
      workerUrl: this.options.workerUrl ?? new URL('./shared-worker.js', import.meta.url),
      backoff,
      lingerMs,
      getToken,
      fallback: leader,
    });
  }

  /**
   * A channel's live events, from now on. Several names: one connection for all of them
   * (`/events?channel=a&channel=b`), each event saying its channel.
   */
  channel<M extends EventMap = EventMap>(channels: string | readonly string[]): ClientChannel<M> {
    return new ClientChannel<M>(this.transport, this.spec(toList(channels)));
  }

  /**
   * The handshake for an app that has just loaded a snapshot: asks `POST /sync` for the
   * position the snapshot corresponds to and answers a channel that streams on from exactly
   * there (every event after the snapshot, none before). With authorization the url
   * carries a stream token good for `SSE_STREAM_TOKEN_TTL_S`; subscribing later than that
   * costs one refused request and a sync from the same position, nothing else.
   * Rejects with `HttpStatusError` (its `status`, the gateway's message) on any answer but 200.
   */
  async sync<M extends EventMap = EventMap>(channels: string | readonly string[]): Promise<ClientChannel<M>> {
    const list = toList(channels);
    const response = await this.fetchFn(joinUrl(this.baseUrl, '/sync'), {
      method: 'POST',
      headers: await this.headers({ 'content-type': 'application/json' }),
      body: JSON.stringify(list.length === 1 ? { channel: list[0] } : { channels: list }),
      ...this.credentials(),
    });
    if (response.status !== 200) throw await HttpStatusError.of(response, syncFailed);
    const answer = (await response.json()) as { lastEventId: string | null; url: string };
    const position: SyncPosition = { channels: list, lastEventId: answer.lastEventId, url: answer.url };
    return new ClientChannel<M>(this.transport, this.spec(list, answer.url), position);
  }

  /**
   * Publishes through the gateway (`POST /channels/{channel}/events`); resolves with the id.
   * Typed by the same event map as the channel. With `getToken`, sends its token as
   * `Authorization: Bearer`. Rejects with `HttpStatusError` on any answer but 201.
   */
  async publish<M extends EventMap = EventMap, K extends keyof M & string = keyof M & string>(
    channel: string,
    event: K,
    data: M[K],
    options: { idempotencyKey?: string } = {},
  ): Promise<string> {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (options.idempotencyKey) headers['idempotency-key'] = options.idempotencyKey;
    const response = await this.fetchFn(joinUrl(this.baseUrl, `/channels/${encodeURIComponent(channel)}/events`), {
      method: 'POST',
      headers: await this.headers(headers),
      body: JSON.stringify(event === 'message' ? { data } : { event, data }),
      ...this.credentials(),
    });
    const body = (await response.json().catch(() => ({}))) as { id?: unknown; message?: unknown };
    if (response.status !== 201 || typeof body.id !== 'string') {
      const detail = typeof body.message === 'string' ? body.message : '';
      const error = new HttpStatusError(response.status, undefined, detail || undefined);
      error.message = publishFailed(response.status, detail);
      throw error;
    }
    return body.id;
  }

  private spec(channels: readonly string[], startUrl?: string): StreamSpec {
    return { baseUrl: this.baseUrl, channels, ...(startUrl ? { startUrl } : {}), ...(this.auth ? { auth: this.auth } : {}) };
  }

  /** `headers` with this client's bearer token, asked for now. */
  private async headers(headers: Record<string, string>): Promise<Record<string, string>> {
    const getToken = this.options.getToken;
    return getToken ? { ...headers, authorization: `Bearer ${await getToken()}` } : headers;
  }

  private credentials(): { credentials?: 'omit' | 'same-origin' | 'include' } {
    return this.options.credentials ? { credentials: this.options.credentials } : {};
  }

  /** Closes every stream this client holds (in this tab). */
  close(): void {
    this.transport.close();
  }
}

function toList(channels: string | readonly string[]): readonly string[] {
  const list = typeof channels === 'string' ? [channels] : [...new Set(channels)];
  if (list.length === 0) throw new Error(CHANNEL_REQUIRED);
  return list;
}

export type { WireEvent };
