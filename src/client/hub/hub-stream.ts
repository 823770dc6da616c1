import type { ConnectionState, HubMessage, WireEvent } from '../client.types.js';
import { backoffDelay, parseRetryAfter, type BackoffOptions } from './backoff.util.js';
import { EventStreamReader, type StreamFrame } from './event-stream.reader.js';
import { joinUrl, streamPath } from './stream-url.util.js';

export interface HubStreamOptions {
  readonly baseUrl: string;
  readonly channels: readonly string[];
  readonly startUrl?: string;
  readonly backoff?: BackoffOptions;
  readonly fetch: typeof fetch;
}

/** The instance announcement every gateway stream may open with (no id: positions stay put). */
const CONNECTED_EVENT = 'sse.connected';

class HttpStatusError extends Error {
  constructor(
    readonly status: number,
    readonly retryAfterMs: number | undefined,
    detail?: string,
  ) {
    super(detail ? `HTTP ${status}: ${detail}` : `HTTP ${status}`);
  }

  /** A request the gateway will refuse every time (a bad channel name, too many channels). */
  get permanent(): boolean {
    return this.status === 400;
  }

  static async of(response: Response): Promise<HttpStatusError> {
    const retryAfter = parseRetryAfter(response.headers.get('retry-after'));
    let detail: string | undefined;
    if (response.status === 400) {
      const body = (await response.json().catch(() => undefined)) as { message?: unknown } | undefined;
      if (typeof body?.message === 'string') detail = body.message;
    } else {
      await response.body?.cancel().catch(() => undefined);
    }
    return new HttpStatusError(response.status, retryAfter, detail);
  }
}

/**
 * One stream to the gateway, kept open until closed: it starts from `POST /sync` (or the
 * given start url), so it knows its position before the first event; every frame with an
 * id moves that position; whenever the stream fails or ends (a killed instance, a 503 from
 * a full or draining one, a network loss) it reopens after a jittered backoff with
 * `?lastEventId=` set to that position, so the gateway replays exactly what was missed.
 */
export class HubStream {
  private position: { url: string; id: string | null } | undefined;
  private abort: AbortController | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private wake: (() => void) | undefined;
  private serverRetryMs: number | undefined;
  private closed = false;
  private current: ConnectionState = { status: 'connecting', instance: null, lastEventId: null, attempt: 0, error: null };

  constructor(
    private readonly options: HubStreamOptions,
    private readonly emit: (message: HubMessage) => void,
  ) {
    if (options.startUrl) this.position = { url: options.startUrl, id: null };
  }

  get state(): ConnectionState {
    return this.current;
  }

  /** Where a stream opened now would start so as to continue this one (`undefined` before the first sync). */
  get positionUrl(): string | undefined {
    return this.position?.url;
  }

  /** True for a stream of exactly these channels (in this order) on this gateway. */
  serves(baseUrl: string, channels: readonly string[]): boolean {
    const own = this.options.channels;
    return baseUrl === this.options.baseUrl && own.length === channels.length && own.every((c, i) => c === channels[i]);
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
    while (!this.closed) {
      let floorMs = 0;
      try {
        this.position ??= await this.sync();
        await this.connect();
        this.setState({ status: 'reconnecting', error: 'stream ended' });
      } catch (error) {
        if (this.closed) return;
        const message = error instanceof Error ? error.message : String(error);
        if (error instanceof HttpStatusError && error.permanent) {
          // Retrying cannot help: say why and stop (the subscriptions stay until unsubscribed).
          this.setState({ status: 'closed', error: message });
          this.closed = true;
          return;
        }
        if (error instanceof HttpStatusError) floorMs = error.retryAfterMs ?? 0;
        this.setState({ status: 'reconnecting', error: message });
      }
      if (this.closed) return;
      const delay = backoffDelay(this.current.attempt, this.options.backoff, this.serverRetryMs, floorMs);
      this.setState({ attempt: this.current.attempt + 1 });
      await new Promise<void>((resolve) => {
        this.wake = resolve;
        this.timer = setTimeout(resolve, delay);
      });
    }
  }

  /** The position a snapshot taken now corresponds to, and the url that streams on from it. */
  private async sync(): Promise<{ url: string; id: string | null }> {
    const { channels } = this.options;
    const body = channels.length === 1 ? { channel: channels[0] } : { channels };
    const response = await this.request(joinUrl(this.options.baseUrl, '/sync'), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (response.status !== 200) throw await HttpStatusError.of(response);
    const answer = (await response.json()) as { lastEventId: string | null; url: string };
    this.setState({ lastEventId: answer.lastEventId });
    this.emit({ kind: 'position', url: answer.url });
    return { url: answer.url, id: answer.lastEventId };
  }

  private async connect(): Promise<void> {
    const response = await this.request(joinUrl(this.options.baseUrl, this.position!.url), {
      headers: { accept: 'text/event-stream' },
      cache: 'no-store',
    });
    const type = response.headers.get('content-type') ?? '';
    if (response.status !== 200 || !type.startsWith('text/event-stream') || !response.body) throw await HttpStatusError.of(response);
    this.setState({ status: 'open', attempt: 0, error: null, instance: response.headers.get('x-instance-id') });
    const reader = new EventStreamReader({
      frame: (frame) => this.frame(frame),
      position: (id) => {
        this.moveTo(id);
        this.emit({ kind: 'position', url: this.position!.url });
      },
      retry: (ms) => (this.serverRetryMs = ms),
    });
    const body = response.body.getReader();
    for (;;) {
      const { done, value } = await body.read();
      if (done) return reader.end();
      // Bytes, not text: the reader decodes them itself, so it alone skips the one leading BOM.
      reader.write(value);
      if (this.closed) return void body.cancel().catch(() => undefined);
    }
  }

  private frame(frame: StreamFrame): void {
    if (frame.event === CONNECTED_EVENT) {
      const instance = parseJson(frame.data) as { instance?: unknown } | undefined;
      if (typeof instance?.instance === 'string') this.setState({ instance: instance.instance });
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
    this.position = { url: streamPath(this.options.channels, id), id };
    this.setState({ lastEventId: id });
  }

  private request(url: string, init: RequestInit): Promise<Response> {
    this.abort = new AbortController();
    return this.options.fetch(url, { ...init, signal: this.abort.signal });
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
