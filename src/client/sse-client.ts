/// <reference lib="dom" />
import { Observable, filter, map } from 'rxjs';
import type { ChannelEvent, ConnectionState, EventMap, HubMessage, StreamSpec, StreamTransport, WireEvent } from './client.types.js';
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
  /** A `fetch` of your own (tests, Node, auth headers). */
  readonly fetch?: typeof fetch;
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
  /** The connection: `connecting`, `open`, `reconnecting`, `closed`, with the serving instance. */
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

  constructor(private readonly options: SseClientOptions = {}) {
    const origin = typeof location !== 'undefined' ? location.href : undefined;
    if (!options.baseUrl && !origin) throw new Error('SseClient: baseUrl is required outside a browser page');
    this.baseUrl = new URL(options.baseUrl ?? '/', origin).href.replace(/\/+$/, '');
    this.fetchFn = options.fetch ?? globalThis.fetch.bind(globalThis);
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
    const { shared = true, backoff, lingerMs } = this.options;
    const local = () => new LocalTransport({ backoff, lingerMs, fetch: this.fetchFn });
    // A fetch of the caller's cannot travel to another context: such a client keeps its streams.
    if (shared === false || this.options.fetch !== undefined) return local();
    const canLead = typeof BroadcastChannel !== 'undefined' && typeof navigator !== 'undefined' && navigator.locks !== undefined;
    const leader = () => (canLead ? new LeaderTabTransport({ backoff, lingerMs }) : local());
    if (shared === 'leader' || typeof SharedWorker === 'undefined') return leader();
    return new SharedWorkerTransport({
      workerUrl: this.options.workerUrl ?? new URL('./shared-worker.js', import.meta.url),
      backoff,
      lingerMs,
      fallback: leader,
    });
  }

  /**
   * A channel's live events, from now on. Several names: one connection for all of them
   * (`/events?channel=a&channel=b`), each event saying its channel.
   */
  channel<M extends EventMap = EventMap>(channels: string | readonly string[]): ClientChannel<M> {
    return new ClientChannel<M>(this.transport, { baseUrl: this.baseUrl, channels: toList(channels) });
  }

  /**
   * The handshake for an app that has just loaded a snapshot: asks `POST /sync` for the
   * position the snapshot corresponds to and answers a channel that streams on from exactly
   * there (every event after the snapshot, none before).
   */
  async sync<M extends EventMap = EventMap>(channels: string | readonly string[]): Promise<ClientChannel<M>> {
    const list = toList(channels);
    const response = await this.fetchFn(joinUrl(this.baseUrl, '/sync'), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(list.length === 1 ? { channel: list[0] } : { channels: list }),
    });
    if (response.status !== 200) throw new Error(`POST /sync answered ${response.status}: ${await response.text()}`);
    const answer = (await response.json()) as { lastEventId: string | null; url: string };
    const position: SyncPosition = { channels: list, lastEventId: answer.lastEventId, url: answer.url };
    return new ClientChannel<M>(this.transport, { baseUrl: this.baseUrl, channels: list, startUrl: answer.url }, position);
  }

  /**
   * Publishes through the gateway (`POST /channels/{channel}/events`); resolves with the id.
   * Typed by the same event map as the channel.
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
      headers,
      body: JSON.stringify(event === 'message' ? { data } : { event, data }),
    });
    const body = (await response.json()) as { id?: string; message?: string };
    if (response.status !== 201 || !body.id) throw new Error(`publish answered ${response.status}: ${body.message ?? ''}`);
    return body.id;
  }

  /** Closes every stream this client holds (in this tab). */
  close(): void {
    this.transport.close();
  }
}

function toList(channels: string | readonly string[]): readonly string[] {
  const list = typeof channels === 'string' ? [channels] : [...new Set(channels)];
  if (list.length === 0) throw new Error('SseClient: at least one channel');
  return list;
}

export type { WireEvent };
