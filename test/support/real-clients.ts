import { EventSource, type FetchLike } from 'eventsource';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { startGatewayProcess, type GatewayProcess } from './gateway-process.js';
import { startNginx, type Nginx } from './nginx.js';
import { sleep } from './ports.js';
import { RetryingPublisher } from './reconnecting-client.js';
import { startRedis, type RedisServer } from './redis-server.js';
import { request } from './sse-client.js';

// Clients nobody on the team wrote: the `eventsource` npm package (eventsource-parser inside)
// in this process, and Chromium's own EventSource in a page. Both are told about `reset` and
// `sse.connected` with addEventListener, as an application would: an EventSource dispatches a
// named event to that name's listeners only.

/** One dispatched event as the client's application sees it. */
export interface SeenEvent {
  /** `message` (a published event without a type), `reset`, or the published type. */
  readonly type: string;
  /** The event's `lastEventId` (what the client will send as `Last-Event-ID`). */
  readonly id: string;
  readonly data: string;
}

/** What one EventSource saw over its whole life, across reconnects. */
export interface ClientLog {
  /** Every event but `sse.connected`, in the order dispatched. */
  readonly events: SeenEvent[];
  /** The instance of each connection, from its `sse.connected` event. */
  readonly instances: string[];
  /** The id each `sse.connected` event carried (`''` when none): the position the client then holds. */
  readonly connectedIds: string[];
  /** `Date.now()` of each `open`. */
  readonly opens: number[];
  /** `error` events (each drop, each failed attempt). */
  errors: number;
  /** 0 connecting, 1 open, 2 closed (an EventSource that got a non-200 answer stays closed). */
  readyState: number;
}

const emptyLog = (): ClientLog => ({ events: [], instances: [], connectedIds: [], opens: [], errors: 0, readyState: 0 });

/** A request as the `eventsource` package sent it. */
export interface SentRequest {
  readonly at: number;
  readonly url: string;
  /** The `Last-Event-ID` header, if one was sent. */
  readonly lastEventId?: string;
}

/** Which events a client records besides `message` and `reset` (published types, as an application would listen for them). */
export interface ListenOptions {
  readonly types?: readonly string[];
}

/**
 * The `eventsource` package (v4) on `url`. `headers` are added to every request it makes
 * (through its `fetch` option, the only way to add one) unless the package sets that header
 * itself (its own `Last-Event-ID` wins once it has one), and every request is recorded.
 */
export class PackageClient {
  readonly log: ClientLog = emptyLog();
  readonly requests: SentRequest[] = [];
  private readonly source: EventSource;

  constructor(url: string, options: { headers?: Record<string, string> } & ListenOptions = {}) {
    const recordingFetch: FetchLike = (input, init) => {
      const own = new Set(Object.keys(init.headers ?? {}).map((name) => name.toLowerCase()));
      const extra = Object.entries(options.headers ?? {}).filter(([name]) => !own.has(name.toLowerCase()));
      const headers: Record<string, string> = { ...Object.fromEntries(extra), ...init.headers };
      const lastEventId = Object.entries(headers).find(([name]) => name.toLowerCase() === 'last-event-id')?.[1];
      this.requests.push({ at: Date.now(), url: String(input), lastEventId });
      return fetch(input, { ...init, headers });
    };
    this.source = new EventSource(url, { fetch: recordingFetch });
    const push = (event: MessageEvent) => this.log.events.push({ type: event.type, id: event.lastEventId, data: String(event.data) });
    this.source.addEventListener('open', () => {
      this.log.opens.push(Date.now());
      this.log.readyState = this.source.readyState;
    });
    this.source.addEventListener('error', () => {
      this.log.errors++;
      this.log.readyState = this.source.readyState;
    });
    for (const type of ['message', 'reset', ...(options.types ?? [])]) this.source.addEventListener(type, push);
    this.source.addEventListener('sse.connected', (event: MessageEvent) => {
      this.log.instances.push((JSON.parse(String(event.data)) as { instance: string }).instance);
      this.log.connectedIds.push(event.lastEventId);
    });
  }

  /** The instance serving the current connection, if it is open. */
  get instance(): string | undefined {
    return this.source.readyState === 1 ? this.log.instances.at(-1) : undefined;
  }

  close(): void {
    this.source.close();
  }
}

const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'];

/** Debian's Chromium (headless, a throwaway profile). */
export async function launchChromium(): Promise<{ context: BrowserContext; close(): Promise<void> }> {
  const profile = mkdtempSync(path.join(tmpdir(), 'sse-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM_BIN ?? '/usr/bin/chromium',
    headless: true,
    args: CHROMIUM_ARGS,
  });
  return {
    context,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/**
 * `count` native EventSources in one Chromium page of `origin` (same origin as the streams,
 * so no CORS is involved), each on `streamPath`. Chromium keeps at most 6 HTTP/1.1
 * connections per host and profile: keep `count` under that, and close the page when done.
 */
export class BrowserClients {
  private constructor(readonly page: Page) {}

  static async open(context: BrowserContext, origin: string, streamPath: string, count: number, options: ListenOptions = {}): Promise<BrowserClients> {
    const page = await context.newPage();
    // Any same-origin document will do; the health probe is the cheapest one.
    await page.goto(`${origin}/health/live`);
    await page.evaluate(
      ({ url, count, types }) => {
        const w = globalThis as any;
        w.__clients = [];
        for (let i = 0; i < count; i++) {
          const log = { events: [] as unknown[], instances: [] as string[], connectedIds: [] as string[], opens: [] as number[], errors: 0, readyState: 0 };
          const source = new w.EventSource(url);
          const push = (event: any) => log.events.push({ type: event.type, id: event.lastEventId, data: event.data });
          source.addEventListener('open', () => {
            log.opens.push(Date.now());
            log.readyState = source.readyState;
          });
          source.addEventListener('error', () => {
            log.errors++;
            log.readyState = source.readyState;
          });
          for (const type of ['message', 'reset', ...types]) source.addEventListener(type, push);
          source.addEventListener('sse.connected', (event: any) => {
            log.instances.push(JSON.parse(event.data).instance);
            log.connectedIds.push(event.lastEventId);
          });
          w.__clients.push({ source, log });
        }
      },
      { url: streamPath, count, types: [...(options.types ?? [])] },
    );
    return new BrowserClients(page);
  }

  /** Each EventSource's log, read now. */
  logs(): Promise<ClientLog[]> {
    return this.page.evaluate(() => (globalThis as any).__clients.map((c: any) => ({ ...c.log, readyState: c.source.readyState })));
  }

  async close(): Promise<void> {
    await this.page.evaluate(() => (globalThis as any).__clients.forEach((c: any) => c.source.close())).catch(() => undefined);
    await this.page.close();
  }
}

/** A real redis-server, `instances` gateway processes (`dist/main.js`) on it, and the shipped nginx configuration in front. */
export interface GatewayCluster {
  readonly redis: RedisServer;
  /** Every instance started, in order (killed or drained ones stay in the list). */
  readonly gateways: GatewayProcess[];
  readonly nginx: Nginx;
  /** Starts one more instance and reloads nginx to point at every running one. */
  addInstance(): Promise<GatewayProcess>;
  /** The instances still running. */
  running(): GatewayProcess[];
  /** Open streams per running instance, from each one's `/health`. */
  streamsPerInstance(): Promise<Record<string, number>>;
  close(): Promise<void>;
}

export async function startCluster(options: { instances: number; persistence?: 'none' | 'aof'; env?: Record<string, string> }): Promise<GatewayCluster> {
  const redis = await startRedis({ persistence: options.persistence });
  const env = { REDIS_URL: redis.url, SSE_KEY_PREFIX: `real-clients-${Date.now()}:`, ...options.env };
  const gateways = await Promise.all(Array.from({ length: options.instances }, () => startGatewayProcess(env)));
  const nginx = await startNginx({ upstreams: gateways.map((g) => `127.0.0.1:${g.port}`) });
  const running = () => gateways.filter((g) => g.child.exitCode === null && g.child.signalCode === null);
  return {
    redis,
    gateways,
    nginx,
    running,
    async addInstance() {
      const gateway = await startGatewayProcess(env);
      gateways.push(gateway);
      await nginx.reload(running().map((g) => `127.0.0.1:${g.port}`));
      return gateway;
    },
    async streamsPerInstance() {
      const entries = await Promise.all(
        running().map(async (g) => [g.instanceId, (await request<{ connections: { open: number } }>('GET', `${g.url}/health`)).body.connections.open] as const),
      );
      return Object.fromEntries(entries);
    },
    async close() {
      await nginx.stop();
      await Promise.all(gateways.map((g) => g.kill()));
      await redis.stop();
    },
  };
}

/**
 * Publishes one event after another through `baseUrl` (each with its own Idempotency-Key,
 * retried with the same key until a 201), about every `intervalMs`, until `stop()`.
 */
export class SteadyPublisher {
  readonly publisher: RetryingPublisher;
  private running = true;
  private sent = 0;
  private readonly loop: Promise<void>;

  constructor(baseUrl: string, channel: string, intervalMs = 20) {
    const publisher = new RetryingPublisher(baseUrl, channel);
    this.publisher = publisher;
    this.loop = (async () => {
      while (this.running) {
        await publisher.publish({ n: this.sent }, `${channel}-${this.sent}`);
        this.sent++;
        await sleep(intervalMs);
      }
    })();
  }

  /** Ids answered 201, in the order they were accepted. */
  get accepted(): string[] {
    return this.publisher.accepted;
  }

  /** Waits for the publish in flight and stops; the accepted ids. */
  async stop(): Promise<string[]> {
    this.running = false;
    await this.loop;
    return this.accepted;
  }
}

/** The stream epoch an id ends with (`<ms>-<seq>.<epoch>`). */
export const epochOf = (id: string): string => id.slice(id.lastIndexOf('.') + 1);

/** What a client's events are read as: each event's id, and `reset` for a reset. */
export const sequenceOf = (log: ClientLog): string[] => log.events.map((e) => (e.type === 'reset' ? 'reset' : e.id));

/** One client's delivery against the sequence it should have seen. */
export interface Delivery {
  /** Events it should have got (resets not counted). */
  readonly expected: number;
  /** Of those, how many it got. */
  readonly delivered: number;
  /** Events it got more than once (each repeat counted). */
  readonly duplicates: number;
  /** Events that came before one published earlier. */
  readonly outOfOrder: number;
  /** Events it got that were never accepted. */
  readonly unexpected: number;
  /** Whether what it saw is exactly the expected sequence. */
  readonly exact: boolean;
}

export function delivery(log: ClientLog, expected: readonly string[]): Delivery {
  const seen = sequenceOf(log);
  const wanted = expected.filter((id) => id !== 'reset');
  const position = new Map(wanted.map((id, i) => [id, i]));
  const got = seen.filter((id) => id !== 'reset');
  const counts = new Map<string, number>();
  for (const id of got) counts.set(id, (counts.get(id) ?? 0) + 1);
  let outOfOrder = 0;
  let last = -1;
  for (const id of got) {
    const at = position.get(id);
    if (at === undefined) continue;
    if (at < last) outOfOrder++;
    last = Math.max(last, at);
  }
  return {
    expected: wanted.length,
    delivered: wanted.filter((id) => counts.has(id)).length,
    duplicates: [...counts.values()].reduce((sum, n) => sum + n - 1, 0),
    outOfOrder,
    unexpected: got.filter((id) => !position.has(id)).length,
    exact: JSON.stringify(seen) === JSON.stringify(expected),
  };
}

/** Sums of `Delivery` over a set of clients, and how many saw exactly what they should. */
export interface DeliveryTotals {
  readonly clients: number;
  readonly expected: number;
  readonly delivered: number;
  readonly duplicates: number;
  readonly outOfOrder: number;
  readonly unexpected: number;
  readonly exact: number;
}

export function totals(deliveries: readonly Delivery[]): DeliveryTotals {
  const sum = (pick: (d: Delivery) => number) => deliveries.reduce((s, d) => s + pick(d), 0);
  return {
    clients: deliveries.length,
    expected: sum((d) => d.expected),
    delivered: sum((d) => d.delivered),
    duplicates: sum((d) => d.duplicates),
    outOfOrder: sum((d) => d.outOfOrder),
    unexpected: sum((d) => d.unexpected),
    exact: deliveries.filter((d) => d.exact).length,
  };
}

/** Where a client's sequence first differs from the expected one, for a failure message. */
export function firstDifference(log: ClientLog, expected: readonly string[]): string {
  const seen = sequenceOf(log);
  const at = seen.findIndex((id, i) => id !== expected[i]);
  const i = at === -1 ? Math.min(seen.length, expected.length) : at;
  return `at ${i} of ${expected.length}: expected ${expected.slice(Math.max(0, i - 1), i + 3).join(' ')}, got ${seen.slice(Math.max(0, i - 1), i + 3).join(' ')} (instances ${log.instances.join(' ')})`;
}
