import http from 'node:http';
import { EventStreamParser, type ParsedEvent } from '../../src/sse/wire/testing/event-stream.parser.js';
import { sleep } from './ports.js';

/**
 * A client that behaves as a browser's EventSource: it keeps its last event id and its
 * reconnection time across connections, and after a stream ends it waits `retry` ms and
 * reconnects with `Last-Event-ID`. Unlike a browser it also retries after a non-200
 * answer (as the project's own client does), and records what happened for the test.
 */
export class ReconnectingClient {
  /** Data events, in arrival order, across every connection. */
  readonly events: ParsedEvent[] = [];
  /** The instance of each connection, from its `sse.connected` event. */
  readonly instances: string[] = [];
  /** The `retry` in force when each connection ended. */
  readonly retriesAtEnd: number[] = [];
  /** Non-200 answers, by status. */
  readonly refusals: number[] = [];
  lastEventId = '';
  retryMs: number;
  private stopped = false;
  private request: http.ClientRequest | null = null;
  private connectedNow = false;
  private loop: Promise<void> | null = null;

  constructor(
    private readonly url: string,
    options: { retryMs?: number; headers?: Record<string, string> } = {},
    private readonly headers: Record<string, string> = options.headers ?? {},
  ) {
    this.retryMs = options.retryMs ?? 1000;
  }

  /** The instance serving the current connection, if one is open. */
  get instance(): string | undefined {
    return this.connectedNow ? this.instances.at(-1) : undefined;
  }

  get connections(): number {
    return this.instances.length;
  }

  start(): this {
    this.loop ??= this.run();
    return this;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.request?.destroy();
    await this.loop;
  }

  /** Ids of the data events received, in order. */
  ids(): string[] {
    return this.events.map((e) => e.lastEventId);
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      await this.connectOnce().catch(() => undefined);
      this.connectedNow = false;
      if (this.stopped) break;
      await sleep(this.retryMs);
    }
  }

  private connectOnce(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const headers: Record<string, string> = { accept: 'text/event-stream', ...this.headers };
      if (this.lastEventId) headers['last-event-id'] = this.lastEventId;
      const request = http.get(this.url, { headers }, (response) => {
        if (response.statusCode !== 200) {
          this.refusals.push(response.statusCode ?? 0);
          response.resume();
          response.on('end', resolve);
          response.on('error', resolve);
          return;
        }
        const parser = new EventStreamParser((event) => {
          if (event.type === 'sse.connected') {
            this.instances.push((JSON.parse(event.data) as { instance: string }).instance);
            this.connectedNow = true;
          } else {
            this.events.push(event);
          }
        }).resumeFrom(this.lastEventId);
        response.on('data', (chunk: Buffer) => {
          parser.push(chunk);
          this.lastEventId = parser.lastEventId;
          if (parser.retry !== undefined) this.retryMs = parser.retry;
        });
        const done = () => {
          this.retriesAtEnd.push(this.retryMs);
          resolve();
        };
        response.on('end', done);
        response.on('error', done);
        response.on('close', done);
      });
      this.request = request;
      request.on('error', reject);
    });
  }
}

/** Publishes through `baseUrl` the way a careful producer does: retries with the same Idempotency-Key until a 201. */
export class RetryingPublisher {
  /** Ids answered with 201, in the order they were accepted (one per event). */
  readonly accepted: string[] = [];
  /** Non-201 answers and network errors seen on the way. */
  readonly failures: (number | string)[] = [];

  constructor(
    private readonly baseUrl: string,
    private readonly channel: string,
  ) {}

  async publish(data: unknown, key: string, deadlineMs = 30_000): Promise<string> {
    const deadline = Date.now() + deadlineMs;
    const body = JSON.stringify({ data });
    for (;;) {
      const outcome = await new Promise<{ status: number; id?: string } | string>((resolve) => {
        const req = http.request(
          `${this.baseUrl}/channels/${this.channel}/events`,
          { method: 'POST', headers: { 'content-type': 'application/json', 'idempotency-key': key }, timeout: 5000 },
          (res) => {
            let text = '';
            res.on('data', (c: Buffer) => (text += c.toString()));
            res.on('end', () => {
              try {
                resolve({ status: res.statusCode ?? 0, id: res.statusCode === 201 ? (JSON.parse(text) as { id: string }).id : undefined });
              } catch {
                resolve({ status: res.statusCode ?? 0 });
              }
            });
          },
        );
        req.on('timeout', () => req.destroy(new Error('timeout')));
        req.on('error', (error) => resolve(error.message));
        req.end(body);
      });
      if (typeof outcome !== 'string' && outcome.status === 201 && outcome.id) {
        this.accepted.push(outcome.id);
        return outcome.id;
      }
      this.failures.push(typeof outcome === 'string' ? outcome : outcome.status);
      if (Date.now() > deadline) throw new Error(`could not publish ${key}: ${JSON.stringify(this.failures.slice(-5))}`);
      await sleep(100);
    }
  }
}
