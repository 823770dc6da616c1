import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import compression from 'compression';
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import type { BrowserContext } from 'playwright-core';
import { SseModule } from '../src/sse/index.js';
import { OrdersModule } from './fixtures/orders.module.js';
import { runGatewayExpectingExit, startGatewayProcess, type GatewayProcess } from './support/gateway-process.js';
import type { Nginx } from './support/nginx.js';
import { eventually, freePort, sleep } from './support/ports.js';
import { startRequestRecorder, type RequestRecorder } from './support/real-clients-recorder.js';
import { BrowserClients, epochOf, launchChromium, PackageClient, sequenceOf, startCluster, type ClientLog, type GatewayCluster } from './support/real-clients.js';
import { RetryingPublisher } from './support/reconnecting-client.js';
import { startRedis, type RedisServer } from './support/redis-server.js';
import { post, request } from './support/sse-client.js';
import { signToken, TEST_SECRET } from './support/tokens.js';

// The small cases of issue 8, each with clients nobody on the team wrote: the `eventsource`
// npm package (eventsource-parser inside) and Chromium's native EventSource.

let chromium: { context: BrowserContext; close(): Promise<void> };
const openClients: PackageClient[] = [];
const openPages: BrowserClients[] = [];

beforeAll(async () => {
  chromium = await launchChromium();
}, 60_000);
afterEach(async () => {
  openClients.splice(0).forEach((c) => c.close());
  await Promise.all(openPages.splice(0).map((p) => p.close()));
});
afterAll(async () => {
  await chromium?.close();
});

const packageClient = (url: string, headers?: Record<string, string>, types?: string[]) => {
  const client = new PackageClient(url, { headers, types });
  openClients.push(client);
  return client;
};
const browserClient = async (origin: string, path: string, types?: string[]) => {
  const page = await BrowserClients.open(chromium.context, origin, path, 1, { types });
  openPages.push(page);
  return {
    page,
    log: async (): Promise<ClientLog> => (await page.logs())[0]!,
  };
};
const publish = async (baseUrl: string, channel: string, data: unknown, headers?: Record<string, string>) => {
  const answer = await post(`${baseUrl}/channels/${channel}/events`, { data }, headers);
  expect(answer.status).toBe(201);
  return answer.body.id as string;
};
const messages = (log: ClientLog) => log.events.filter((e) => e.type === 'message');

describe('a cluster behind nginx (cases 2 and 7)', () => {
  let cluster: GatewayCluster;
  let recorder: RequestRecorder;
  beforeAll(async () => {
    cluster = await startCluster({ instances: 3, env: { SSE_RETRY_MS: '2500', SSE_REBALANCE_RATIO: '0' } });
    recorder = await startRequestRecorder(cluster.nginx.port);
  }, 60_000);
  afterAll(async () => {
    await recorder?.close();
    await cluster?.close();
  });

  it('case 2: a client that reconnects before its first event sends the start position it was given, and gets every event', async () => {
    const channel = 'first-event';
    const client = packageClient(`${recorder.url}/channels/${channel}/events`);
    const tab = await browserClient(recorder.url, `/channels/${channel}/events`);
    await eventually(async () => client.log.instances.length === 1 && (await tab.log()).instances.length === 1, 10_000, 'both connected');
    // The start position came on the sse.connected frame, which has data: every parser keeps its id.
    const starts = [client.log.connectedIds[0]!, (await tab.log()).connectedIds[0]!];
    for (const start of starts) expect(start).toMatch(/^\d+-\d+\.\w+$/);

    // No event yet; the instances serving them die (at most two of the three), and three are published.
    const serving = new Set([client.log.instances[0]!, (await tab.log()).instances[0]!]);
    await Promise.all(cluster.gateways.filter((g) => serving.has(g.instanceId)).map((g) => g.kill()));
    const publisher = new RetryingPublisher(cluster.nginx.url, channel);
    for (let i = 0; i < 3; i++) await publisher.publish({ i }, `${channel}-${i}`);
    const publishedAt = Date.now();

    // They come back by themselves (after the retry the stream gave them), then one more is published.
    await eventually(async () => client.log.instances.length === 2 && (await tab.log()).instances.length === 2, 15_000, 'both reconnected');
    const published = [...publisher.accepted, await publish(cluster.nginx.url, channel, { i: 3 })];
    await eventually(async () => messages(client.log).length === 4 && messages(await tab.log()).length === 4, 10_000, 'all four events');
    await sleep(200);

    const streams = recorder.exchanges.filter((e) => e.requestLine.startsWith(`GET /channels/${channel}/events`));
    const sent = streams.map((e) => ({ agent: /Chrome/.test(e.headers['user-agent'] ?? '') ? 'chromium' : 'eventsource', lastEventId: e.headers['last-event-id'] }));
    expect(sent.filter((s) => s.agent === 'eventsource')).toEqual([{ agent: 'eventsource', lastEventId: undefined }, { agent: 'eventsource', lastEventId: starts[0] }]);
    expect(sent.filter((s) => s.agent === 'chromium')).toEqual([{ agent: 'chromium', lastEventId: undefined }, { agent: 'chromium', lastEventId: starts[1] }]);
    for (const log of [client.log, await tab.log()]) {
      expect(log.opens[1]).toBeGreaterThan(publishedAt);
      expect(sequenceOf(log)).toEqual(published);
      expect(messages(log).map((e) => JSON.parse(e.data))).toEqual([{ i: 0 }, { i: 1 }, { i: 2 }, { i: 3 }]);
    }
  }, 60_000);

  it('case 7: an empty Last-Event-ID header is absent: ?lastEventId= stands, and without it the stream starts at the head', async () => {
    const gateway = cluster.running()[0]!;
    const channel = 'empty-header';
    const ids = [await publish(gateway.url, channel, 'a'), await publish(gateway.url, channel, 'b'), await publish(gateway.url, channel, 'c')];

    // Through nginx, which passes the empty header on as it came.
    const withQuery = packageClient(`${recorder.url}/channels/${channel}/events?lastEventId=${encodeURIComponent(ids[0]!)}`, { 'Last-Event-ID': '' });
    const withoutQuery = packageClient(`${recorder.url}/channels/${channel}/events`, { 'Last-Event-ID': '' });
    await eventually(() => messages(withQuery.log).length === 2 && withoutQuery.log.instances.length === 1, 10_000, 'replay and start');
    const live = await publish(gateway.url, channel, 'd');
    await eventually(() => messages(withQuery.log).length === 3 && messages(withoutQuery.log).length === 1, 10_000, 'the live event');
    await sleep(200);

    const sent = recorder.exchanges.filter((e) => e.requestLine.startsWith(`GET /channels/${channel}/events`)).map((e) => e.headers['last-event-id']);
    expect(sent).toEqual(['', '']);
    expect(sequenceOf(withQuery.log)).toEqual([ids[1], ids[2], live]);
    expect(sequenceOf(withoutQuery.log)).toEqual([live]);
    expect(withoutQuery.log.connectedIds[0]).toBe(ids[2]);
  }, 30_000);
});

describe('case 1: a client away while Redis restarted without persistence', () => {
  let redis: RedisServer;
  const gateways: GatewayProcess[] = [];
  afterAll(async () => {
    await Promise.all(gateways.map((g) => g.kill()));
    await redis?.stop();
  });

  it('reconnects with its last id from the lost stream and gets reset, then every event published since', async () => {
    redis = await startRedis({ persistence: 'none' });
    const env = { REDIS_URL: redis.url, SSE_RETRY_MS: '500', SSE_REBALANCE_RATIO: '0', SSE_PUBLISH_TIMEOUT_MS: '1000' };
    const [a, b] = await Promise.all([startGatewayProcess(env), startGatewayProcess(env)]);
    gateways.push(a, b);
    const channel = 'lost';
    const client = packageClient(`${a.url}/channels/${channel}/events`);
    const tab = await browserClient(a.url, `/channels/${channel}/events`);
    await eventually(async () => client.log.instances.length === 1 && (await tab.log()).instances.length === 1, 10_000, 'both connected');
    const old = [await publish(a.url, channel, 0), await publish(a.url, channel, 1), await publish(a.url, channel, 2)];
    await eventually(async () => messages(client.log).length === 3 && messages(await tab.log()).length === 3, 10_000, 'the three');

    // Their instance goes away (they keep retrying it), Redis restarts empty, five are published elsewhere.
    await a.kill();
    await redis.restart();
    const publisher = new RetryingPublisher(b.url, channel);
    for (let i = 0; i < 5; i++) await publisher.publish(10 + i, `${channel}-new-${i}`);
    const fresh = publisher.accepted;
    expect(new Set(fresh.map(epochOf)).size).toBe(1);
    expect(epochOf(fresh[0]!)).not.toBe(epochOf(old[0]!));

    // Their instance is back: they reconnect by themselves, with the last id of the lost stream.
    gateways.push(await startGatewayProcess(env, { port: a.port }));
    await eventually(async () => messages(client.log).length === 8 && messages(await tab.log()).length === 8, 15_000, 'the five after the reset');
    await sleep(200);

    expect(client.requests.at(-1)!.lastEventId).toBe(old[2]);
    for (const log of [client.log, await tab.log()]) {
      expect(log.readyState).toBe(1);
      expect(sequenceOf(log)).toEqual([...old, 'reset', ...fresh]);
      const reset = log.events[3]!;
      expect(epochOf(reset.id)).toBe(epochOf(fresh[0]!));
      expect(JSON.parse(reset.data)).toMatchObject({ reason: 'unknown', head: reset.id });
      expect(messages(log).slice(3).map((e) => JSON.parse(e.data))).toEqual([10, 11, 12, 13, 14]);
    }
  }, 60_000);
});

describe('case 3: replay paced to the reader (default settings)', () => {
  let gateway: GatewayProcess;
  beforeAll(async () => {
    gateway = await startGatewayProcess({});
  }, 30_000);
  afterAll(() => gateway?.kill());

  const health = async () => (await request<{ connections: { open: number; closed: Record<string, number> } }>('GET', `${gateway.url}/health`)).body.connections;
  /** The channel's position before anything is published: the id of a fresh stream's sse.connected event. */
  const startPosition = async (channel: string) => {
    const probe = packageClient(`${gateway.url}/channels/${channel}/events`);
    await eventually(() => probe.log.connectedIds.length === 1, 10_000, 'probe connected');
    probe.close();
    return probe.log.connectedIds[0]!;
  };

  it('18 events of 60 KB missed: all arrive on a reconnect, nothing is cut', async () => {
    const channel = 'big';
    const start = await startPosition(channel);
    const payload = 'x'.repeat(60 * 1024 - 100);
    const ids: string[] = [];
    for (let i = 0; i < 18; i++) ids.push(await publish(gateway.url, channel, { i, payload }));
    const cutBefore = (await health()).closed['slow-consumer'] ?? 0;

    const client = packageClient(`${gateway.url}/channels/${channel}/events`, { 'Last-Event-ID': start });
    const tab = await browserClient(gateway.url, `/channels/${channel}/events?lastEventId=${encodeURIComponent(start)}`);
    await eventually(async () => messages(client.log).length === 18 && messages(await tab.log()).length === 18, 30_000, 'all 18 replayed');
    for (const log of [client.log, await tab.log()]) {
      expect(sequenceOf(log)).toEqual(ids);
      expect(messages(log).every((e, i) => e.data === JSON.stringify({ i, payload }))).toBe(true);
      expect(log.opens).toHaveLength(1);
    }
    expect(client.requests).toHaveLength(1);
    expect((await health()).closed['slow-consumer'] ?? 0).toBe(cutBefore);
  }, 60_000);

  it('a full default history (1000 events of 1.2 KB) replays to a reading client; one that stops reading is cut', async () => {
    const channel = 'full';
    const start = await startPosition(channel);
    const ids: string[] = [];
    for (let i = 0; i < 1000; i++) ids.push(await publish(gateway.url, channel, { i, payload: 'y'.repeat(1200) }));
    const cutBefore = (await health()).closed['slow-consumer'] ?? 0;

    // A client that sends its request and then never reads.
    const stalled = await new Promise<net.Socket>((resolve) => {
      const socket = net.connect(gateway.port, '127.0.0.1', () => {
        socket.write(`GET /channels/${channel}/events HTTP/1.1\r\nHost: x\r\nAccept: text/event-stream\r\nLast-Event-ID: ${start}\r\n\r\n`);
        socket.pause();
        resolve(socket);
      });
      socket.on('error', () => undefined);
    });
    const client = packageClient(`${gateway.url}/channels/${channel}/events`, { 'Last-Event-ID': start });
    const tab = await browserClient(gateway.url, `/channels/${channel}/events?lastEventId=${encodeURIComponent(start)}`);
    await eventually(async () => messages(client.log).length === 1000 && messages(await tab.log()).length === 1000, 60_000, 'the whole history replayed');
    for (const log of [client.log, await tab.log()]) {
      expect(sequenceOf(log)).toEqual(ids);
      expect(log.opens).toHaveLength(1);
    }
    expect((await health()).closed['slow-consumer'] ?? 0).toBe(cutBefore);

    // More keeps coming: the readers get it; past what the kernel holds plus SSE_MAX_BUFFER_BYTES the stalled one is cut.
    let sent = 0;
    const payload = 'z'.repeat(60 * 1024 - 100);
    while (((await health()).closed['slow-consumer'] ?? 0) === cutBefore && sent < 300) {
      ids.push(await publish(gateway.url, channel, { i: 1000 + sent, payload }));
      sent++;
    }
    const cut = (await health()).closed['slow-consumer'] ?? 0;
    process.stdout.write(`  the stalled client was cut after ${sent} more events of 60 KB\n`);
    expect(cut).toBe(cutBefore + 1);
    await eventually(async () => messages(client.log).length === ids.length && messages(await tab.log()).length === ids.length, 60_000, 'the readers got everything');
    expect(sequenceOf(client.log)).toEqual(ids);
    expect(sequenceOf(await tab.log())).toEqual(ids);
    stalled.destroy();
  }, 120_000);

  it('refuses at start an SSE_MAX_BUFFER_BYTES too small for the largest event, saying so', async () => {
    const { code, output } = await runGatewayExpectingExit({ PORT: String(await freePort()), SSE_MAX_BUFFER_BYTES: '65536' });
    expect(code).toBe(1);
    expect(output).toMatch(/SSE_MAX_BUFFER_BYTES \(65536\) must hold the largest event's frame: at least .* = 66048/);
    expect(output).not.toMatch(/listening on/);
  });
});

describe('case 4: a Nest app with compression() in front', () => {
  let app: INestApplication;
  let url: string;
  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({ imports: [SseModule.forRoot({ http: { prefix: '/sse' } }), OrdersModule] }).compile();
    app = moduleRef.createNestApplication({ logger: ['error'] });
    app.use(compression());
    await app.listen(0, '127.0.0.1');
    url = `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;
  });
  afterAll(() => app?.close());

  /** The answer's head to a request that accepts gzip (and whatever else `encodings` says). */
  const headOf = (path: string, accept: string, encodings = 'gzip, deflate, br') =>
    new Promise<http.IncomingHttpHeaders>((resolve, reject) => {
      const req = http.get(`${url}${path}`, { headers: { accept, 'accept-encoding': encodings } }, (res) => {
        resolve(res.headers);
        req.destroy();
      });
      req.on('error', reject);
    });
  const PATHS = ['/orders/stream', '/sse/channels/orders/events', '/sse/events?channel=orders&channel=other'];

  it('serves its own @Sse() stream and the mounted API uncompressed, and every event arrives', async () => {
    const clients = PATHS.map((path) => packageClient(`${url}${path}`, undefined, ['order.created', 'order.shipped']));
    const tabs = await Promise.all(PATHS.map((path) => browserClient(url, path, ['order.created', 'order.shipped'])));
    await eventually(async () => clients.every((c) => c.log.opens.length === 1) && (await Promise.all(tabs.map((t) => t.log()))).every((l) => l.opens.length === 1), 10_000, 'every client open');
    await sleep(300);

    // The application's own publish, then one through the mounted API.
    const created = (await post(`${url}/orders`, { id: 'o-1', total: 12.5 })).body.id as string;
    const shipped = (await post(`${url}/sse/channels/orders/events`, { event: 'order.shipped', data: { id: 'o-1' } })).body.id as string;
    const logs = async () => [...clients.map((c) => c.log), ...(await Promise.all(tabs.map((t) => t.log())))];
    await eventually(async () => (await logs()).every((log) => log.events.length === 2), 10_000, 'both events on every stream');
    await sleep(200);
    for (const [i, log] of (await logs()).entries()) {
      const path = PATHS[i % PATHS.length]!;
      const several = path.startsWith('/sse/events');
      expect({ path, types: log.events.map((e) => e.type), data: log.events.map((e) => JSON.parse(e.data)) }).toEqual({
        path,
        types: ['order.created', 'order.shipped'],
        data: several ? [{ channel: 'orders', data: { id: 'o-1', total: 12.5 } }, { channel: 'orders', data: { id: 'o-1' } }] : [{ id: 'o-1', total: 12.5 }, { id: 'o-1' }],
      });
      if (!several) expect(sequenceOf(log)).toEqual([created, shipped]);
    }

    // On the wire: no Content-Encoding on any stream, and no-transform, which compression() honours.
    for (const path of PATHS) {
      const headers = await headOf(path, 'text/event-stream');
      expect({ path, type: headers['content-type'], encoding: headers['content-encoding'], cache: headers['cache-control'] }).toEqual({
        path,
        type: 'text/event-stream',
        encoding: undefined,
        cache: 'no-cache, no-transform',
      });
    }
    // compression() is really in front: the same app's JSON history (over its 1 KB threshold) is gzipped.
    for (let i = 0; i < 20; i++) await post(`${url}/orders`, { id: `pad-${i}`, total: i });
    expect((await headOf('/sse/channels/orders/events?limit=100', 'application/json', 'gzip'))['content-encoding']).toBe('gzip');
  }, 60_000);
});

describe('case 9: a sync url at the maximums, with authorization, opened and reopened by Chromium', () => {
  let cluster: GatewayCluster;
  let recorder: RequestRecorder;
  let nginx: Nginx;
  beforeAll(async () => {
    cluster = await startCluster({ instances: 2, env: { SSE_JWT_SECRET: TEST_SECRET, SSE_RETRY_MS: '500', SSE_REBALANCE_RATIO: '0' } });
    nginx = cluster.nginx;
    recorder = await startRequestRecorder(nginx.port);
  }, 60_000);
  afterAll(async () => {
    await recorder?.close();
    await cluster?.close();
  });

  it('32 channels of 128 characters: the request and its reconnect with Last-Event-ID stay under 8 KiB, never 431', async () => {
    const channels = Array.from({ length: 32 }, (_, i) => `max.${String(i).padStart(2, '0')}.`.padEnd(128, 'n'));
    expect(channels.every((c) => c.length === 128)).toBe(true);
    const token = await signToken({ sse: { subscribe: ['max.**'], publish: ['max.**'] } }, { sub: 'tab' });
    const auth = { authorization: `Bearer ${token}` };
    await publish(nginx.url, channels[5]!, 'before', auth); // one channel with a position, the others from the start
    const sync = await post(`${nginx.url}/sync`, { channels }, auth);
    expect(sync.status).toBe(200);
    expect(sync.body.url).toMatch(/&token=/);

    const tab = await browserClient(recorder.url, sync.body.url);
    await eventually(async () => (await tab.log()).instances.length === 1, 10_000, 'stream open');
    await publish(nginx.url, channels[0]!, 'a', auth);
    await publish(nginx.url, channels[31]!, 'b', auth);
    await eventually(async () => messages(await tab.log()).length === 2, 10_000, 'two events');

    // Its instance dies: Chromium reconnects to the same url, adding Last-Event-ID.
    const first = (await tab.log()).instances[0];
    await cluster.gateways.find((g) => g.instanceId === first)!.kill();
    await eventually(async () => (await tab.log()).instances.length === 2, 15_000, 'reconnected');
    await publish(nginx.url, channels[17]!, 'c', auth);
    await eventually(async () => messages(await tab.log()).length === 3, 10_000, 'the event after the reconnect');

    const log = await tab.log();
    expect(log.readyState).toBe(1);
    expect(messages(log).map((e) => JSON.parse(e.data))).toEqual([
      { channel: channels[0], data: 'a' },
      { channel: channels[31], data: 'b' },
      { channel: channels[17], data: 'c' },
    ]);
    expect(log.events.map((e) => e.type)).toEqual(['message', 'message', 'message']);
    expect(log.events.map((e) => e.id)).toEqual(log.events.map(() => expect.stringMatching(/^[\w-]+$/)));

    const streams = recorder.exchanges.filter((e) => e.requestLine.startsWith('GET /events?'));
    process.stdout.write(`  stream requests: ${streams.map((e) => `${e.headBytes} B (${e.status}${e.headers['last-event-id'] ? `, Last-Event-ID ${e.headers['last-event-id'].length} chars` : ''})`).join(', ')}\n`);
    expect(streams).toHaveLength(2);
    expect(streams.map((e) => e.status)).toEqual([200, 200]);
    expect(streams[0]!.headers['last-event-id']).toBeUndefined();
    expect(streams[1]!.headers['last-event-id']).toBe(log.events[1]!.id);
    for (const exchange of streams) expect(exchange.headBytes).toBeLessThan(8 * 1024);
  }, 60_000);
});
