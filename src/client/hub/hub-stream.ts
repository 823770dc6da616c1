import type { ConnectionState, HubMessage, StreamAuth, WireEvent } from '../client.types.js';
import { STREAM_ENDED, TOKEN_EXPIRED } from '../client.messages.js';
import { HttpStatusError } from '../errors/http-status.error.js';
import { backoffDelay, type BackoffOptions } from './backoff.util.js';
import { EventStreamReader, type StreamFrame } from './event-stream.reader.js';
import { carriesToken, joinUrl, streamPath, urlPosition } from './stream-url.util.js';
import { errorMessage } from '../errors/error-message.util.js';

export interface HubStreamOptions {
  readonly baseUrl: string;
  readonly channels: readonly string[];
  readonly startUrl?: string;
  readonly auth?: StreamAuth;
  readonly backoff?: BackoffOptions;
  readonly fetch: typeof fetch;
  /** A fresh token for `POST /sync` (asked only when `auth.bearer`); rejects with `TokenUnavailableError`. */
  readonly token: () => Promise<string>;
}

/**
 * The first frame of every gateway stream: the instance serving it, and, in its id, the
 * stream's start position when it was opened without one.
 */
const CONNECTED_EVENT = 'sse.connected';
/** The gateway's last word on a stream whose token expired (no id: positions stay put). */
const TOKEN_EXPIRED_EVENT = 'sse.token-expired';
/**
 * A stream whose token expired after at least this long comes back at once with a fresh
 * one; sooner (a `getToken` handing out a stale token the gateway still took within its
 * clock tolerance) it waits its backoff, so a bad token source cannot make it spin.
 */
const MIN_TOKEN_LIFE_MS = 1000;

/** How a stream that was open came to an end. */
type Ending = 'ended' | 'expired';

/**
 * One stream to the gateway, kept open until closed: it starts from `POST /sync` (or the
 * given start url), so it knows its position before the first event; every frame with an
 * id moves that position; whenever the stream fails or ends (a killed instance, a 503 from
 * a full or draining one, a network loss) it reopens after a jittered backoff from that
 * position, so the gateway replays exactly what was missed.
 *
 * With authorization: the sync sends `Authorization: Bearer` (a token asked for each time)
 * and answers a url with a short-lived stream token bound to the position it names. A
 * reopen keeps that url and says where the stream stands in `Last-Event-ID` (which the
 * gateway reads before `?lastEventId=`), as `EventSource` does. When the token expires
 * (`sse.token-expired`) or the url is refused with a 401 (its window passed), it syncs
 * again from its last id with a fresh token and goes on, nothing lost or repeated. A 403,
 * or a 401 that a fresh token did not cure, ends in `unauthorized` and no more requests.
 */
export class HubStream {
  /** The url streams open: a sync answer (with its stream token, if any) or a start url; `issued` is its own position. */
  private target: { url: string; issued: string | null } | undefined;
  /** The last event ID the stream moved to since `target` was set; `null`: still where `target` starts. */
  private lastId: string | null = null;
  /** The next attempt first asks `POST /sync` for a url from the current position. */
  private resync = false;
  /** A 401 on a stream was answered with a fresh sync, and no stream has opened since. */
  private cureTried = false;
  private abort: AbortController | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private wake: (() => void) | undefined;
  private serverRetryMs: number | undefined;
  private closed = false;
  private stopped = false;
  private current: ConnectionState = { status: 'connecting', instance: null, lastEventId: null, attempt: 0, error: null };

  constructor(
    private readonly options: HubStreamOptions,
    private readonly emit: (message: HubMessage) => void,
  ) {
    const { startUrl, auth } = options;
    if (startUrl) {
      this.target = { url: startUrl, issued: urlPosition(startUrl) };
      // A bearer client's streams need a stream token: a start url without one (a hand-over
      // from another hub) is first exchanged for one at the same position.
      this.resync = auth?.bearer === true && !carriesToken(startUrl);
    }
  }

  get state(): ConnectionState {
    return this.current;
  }

  /** The position a stream opened now would continue from (`null` before the first sync). */
  get position(): string | null {
    return this.lastId ?? this.target?.issued ?? null;
  }

  /** That position as a stream path without any token (`undefined` before the first sync). */
  get positionUrl(): string | undefined {
    const position = this.position;
    return position === null ? undefined : streamPath(this.options.channels, position);
  }

  /** True once it gave up for good (`unauthorized`, or a 400): it makes no more requests and takes no newcomers. */
  get finished(): boolean {
    return this.stopped || this.closed;
  }

  /** True for a stream of exactly these channels (in this order) on this gateway, authorized the same way. */
  serves(baseUrl: string, channels: readonly string[], auth: StreamAuth | undefined): boolean {
    const own = this.options.channels;
    const mine = this.options.auth;
    return (
      baseUrl === this.options.baseUrl &&
      own.length === channels.length &&
      own.every((c, i) => c === channels[i]) &&
      (mine?.bearer ?? false) === (auth?.bearer ?? false) &&
      mine?.credentials === auth?.credentials
    );
  }

  start(): void {
    void this.run();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.abort?.abort();
    clearTimeout(this.timer);
    this.wake?.();
    this.setState({ status: 'closed' });
  }

  private async run(): Promise<void> {
    while (!this.finished) {
      let floorMs = 0;
      let wait = true;
      try {
        if (this.target === undefined || this.resync) await this.sync();
        const opened = Date.now();
        const ending = await this.connect();
        if (ending === 'expired') {
          this.resync = true;
          wait = Date.now() - opened < MIN_TOKEN_LIFE_MS;
        }
        this.setState({ status: 'reconnecting', error: ending === 'expired' ? TOKEN_EXPIRED : STREAM_ENDED });
      } catch (error) {
        if (this.closed) return;
        const message = errorMessage(error);
        if (error instanceof HttpStatusError) {
          if (error.permanent) return this.stop('closed', message);
          if (error.unauthorized) {
            // A sync was sent with a token asked for just then: its 401 is not cured by
            // asking again. A stream's 401 is (the url's window passed), once.
            if (error.status === 403 || this.resync || this.cureTried) return this.stop('unauthorized', message);
            this.cureTried = true;
            this.resync = true;
            this.setState({ status: 'reconnecting', error: message });
            continue;
          }
          floorMs = error.retryAfterMs ?? 0;
        }
        // Any other failure: a later 401 may have a cause of its own (a window that passed meanwhile).
        this.cureTried = false;
        this.setState({ status: 'reconnecting', error: message });
      }
      if (this.finished) return;
      if (!wait) continue;
      const delay = backoffDelay(this.current.attempt, this.options.backoff, this.serverRetryMs, floorMs);
      this.setState({ attempt: this.current.attempt + 1 });
      await new Promise<void>((resolve) => {
        this.wake = resolve;
        this.timer = setTimeout(resolve, delay);
      });
    }
  }

  /** Gives up for good, saying why: no more requests until every subscriber has gone. */
  private stop(status: 'closed' | 'unauthorized', error: string): void {
    this.setState({ status, error });
    this.stopped = true;
  }

  /**
   * Asks for a stream url: from the current position when there is one (after an expiry,
   * a 401, a hand-over), else at the head, which is also the position a snapshot taken now
   * corresponds to.
   */
  private async sync(): Promise<void> {
    const { channels, auth } = this.options;
    const resume = this.position;
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    this.resync = true;
    if (auth?.bearer) headers.authorization = `Bearer ${await this.options.token()}`;
    const body: Record<string, unknown> = channels.length === 1 ? { channel: channels[0] } : { channels };
    if (resume !== null) body.lastEventId = resume;
    const response = await this.request(joinUrl(this.options.baseUrl, '/sync'), { method: 'POST', headers, body: JSON.stringify(body) });
    if (response.status !== 200) throw await HttpStatusError.of(response);
    const answer = (await response.json()) as { lastEventId: string | null; url: string };
    this.target = { url: answer.url, issued: urlPosition(answer.url) };
    this.lastId = null;
    this.resync = false;
    if (resume === null) {
      this.setState({ lastEventId: answer.lastEventId });
      this.emit({ kind: 'position', url: this.positionUrl ?? answer.url });
    }
  }

  private async connect(): Promise<Ending> {
    const headers: Record<string, string> = { accept: 'text/event-stream' };
    let url = this.target!.url;
    if (this.lastId !== null && this.lastId !== this.target!.issued) {
      // A stream token opens only the position it names: keep its url and move with the
      // header. Without one, the url itself says where.
      if (carriesToken(url)) headers['last-event-id'] = this.lastId;
      else url = streamPath(this.options.channels, this.lastId);
    }
    const response = await this.request(joinUrl(this.options.baseUrl, url), { headers, cache: 'no-store' });
    const type = response.headers.get('content-type') ?? '';
    if (response.status !== 200 || !type.startsWith('text/event-stream') || !response.body) throw await HttpStatusError.of(response);
    this.cureTried = false;
    this.setState({ status: 'open', attempt: 0, error: null, instance: response.headers.get('x-instance-id') });
    let ending: Ending = 'ended';
    const reader = new EventStreamReader({
      frame: (frame) => {
        if (frame.event === TOKEN_EXPIRED_EVENT) ending = 'expired';
        else this.frame(frame);
      },
      position: (id) => {
        this.moveTo(id);
        this.emit({ kind: 'position', url: this.positionUrl! });
      },
      retry: (ms) => (this.serverRetryMs = ms),
    });
    const body = response.body.getReader();
    for (;;) {
      const { done, value } = await body.read();
      if (done) {
        reader.end();
        return ending;
      }
      // Bytes, not text: the reader decodes them itself, so it alone skips the one leading BOM.
      reader.write(value);
      if (this.closed) {
        void body.cancel().catch(() => undefined);
        return ending;
      }
    }
  }

  private frame(frame: StreamFrame): void {
    if (frame.event === CONNECTED_EVENT) {
      const instance = parseJson(frame.data) as { instance?: unknown } | undefined;
      if (typeof instance?.instance === 'string') this.setState({ instance: instance.instance });
      if (frame.id !== undefined && frame.id !== '' && frame.id !== this.lastId) {
        this.moveTo(frame.id);
        this.emit({ kind: 'position', url: this.positionUrl! });
      }
      return;
    }
    // Other control events of the gateway (`sse.*`) are not the application's.
    if (frame.event.startsWith('sse.')) return;
    if (frame.id === undefined || frame.id === '') return;
    const multi = this.options.channels.length > 1;
    const parsed = parseJson(frame.data);
    const envelope = multi ? (parsed as { channel?: unknown; data?: unknown } | undefined) : undefined;
    const event: WireEvent = {
      channel: typeof envelope?.channel === 'string' ? envelope.channel : this.options.channels[0]!,
      event: frame.event,
      id: frame.id,
      data: multi ? envelope?.data : parsed,
    };
    this.moveTo(frame.id);
    this.emit({ kind: 'event', event });
  }

  private moveTo(id: string): void {
    this.lastId = id;
    this.setState({ lastEventId: id });
  }

  private request(url: string, init: RequestInit): Promise<Response> {
    this.abort = new AbortController();
    const credentials = this.options.auth?.credentials;
    return this.options.fetch(url, { ...init, ...(credentials ? { credentials } : {}), signal: this.abort.signal });
  }

  private setState(patch: Partial<ConnectionState>): void {
    if (this.closed && patch.status !== 'closed') return;
    const next = { ...this.current, ...patch };
    const changed = (Object.keys(next) as (keyof ConnectionState)[]).some((key) => next[key] !== this.current[key]);
    if (!changed) return;
    this.current = next;
    // Position moves alone are not news for subscribers: the events carry their ids.
    if (Object.keys(patch).length === 1 && 'lastEventId' in patch) return;
    this.emit({ kind: 'state', state: next });
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
