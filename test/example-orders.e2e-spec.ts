import { copyFileSync, cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { npmInstall, packProject, ROOT, startNodeApp, tsc, type NodeApp } from './support/packed-package.js';
import { openStream, post, request, type TestStream } from './support/sse-client.js';

// examples/orders as a team would run it: the project packed with npm pack, the example
// copied out of the repository, the tarball installed into it with npm (its dependencies from
// the npm cache), compiled with tsc as CommonJS and started with node. Then its own REST and
// @Sse() routes, the module's HTTP API it mounts under /sse, its API-key authorizer, and a
// clean stop on SIGTERM.

const API_KEY = 'orders-e2e-key-0123456789';
const KEY = { 'x-api-key': API_KEY };

let work: string;
let appDir: string;
const apps: NodeApp[] = [];

async function startOrders(env: Record<string, string> = {}): Promise<NodeApp> {
  const app = await startNodeApp(['dist/main.js'], appDir, { ORDERS_API_KEY: API_KEY, ...env });
  apps.push(app);
  return app;
}

/** Creates an order through the example's REST route; its id and the event's id. */
async function createOrder(app: NodeApp, item: string, quantity = 1): Promise<{ orderId: string; eventId: string; body: any }> {
  const answer = await post(`${app.url}/orders`, { item, quantity });
  expect({ status: answer.status, item: answer.body?.order?.item }).toEqual({ status: 201, item });
  return { orderId: answer.body.order.id, eventId: answer.body.eventId, body: answer.body };
}

/** What a stream delivered, as (id, event type, order item) triples. */
const delivered = (stream: TestStream) => stream.parser.events.map((e) => ({ id: e.lastEventId, type: e.type, data: JSON.parse(e.data) }));

beforeAll(async () => {
  work = mkdtempSync(path.join(tmpdir(), 'sse-example-orders-'));
  const tarball = await packProject(work);
  appDir = path.join(work, 'orders');
  // The example's own files only: no build, install or tarball left in the repository copy.
  cpSync(path.join(ROOT, 'examples/orders'), appDir, {
    recursive: true,
    filter: (source) => !/[\\/](node_modules|dist)$|\.tgz$|package-lock\.json$/.test(source),
  });
  copyFileSync(tarball.file, path.join(appDir, 'nest-sse-gateway.tgz'));
  await npmInstall(appDir);
  const built = await tsc(path.join(appDir, 'tsconfig.json'));
  expect({ code: built.code, output: built.output }).toEqual({ code: 0, output: '' });
}, 360_000);

afterAll(async () => {
  await Promise.all(apps.map((app) => app.kill()));
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('examples/orders, built against the packed tarball', () => {
  let app: NodeApp;
  const streams: TestStream[] = [];
  beforeAll(async () => {
    app = await startOrders();
  });
  afterAll(() => streams.forEach((s) => s.close()));

  it('runs the installed package: compiled CommonJS that requires nest-sse-gateway from node_modules', () => {
    const installed = JSON.parse(readFileSync(path.join(appDir, 'node_modules/nest-sse-gateway/package.json'), 'utf8'));
    const ours = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
    expect({ name: installed.name, version: installed.version }).toEqual({ name: ours.name, version: ours.version });
    const service = readFileSync(path.join(appDir, 'dist/orders/orders.service.js'), 'utf8');
    expect(service).toMatch(/^"use strict";/);
    expect(service).toContain('require("nest-sse-gateway")');
  });

  let seen: string[] = [];
  it('creates orders and streams them on its own @Sse() route, each with its real id', async () => {
    const stream = await openStream(`${app.url}/orders/stream`);
    streams.push(stream);
    expect({ status: stream.status, type: stream.headers['content-type'] }).toEqual({ status: 200, type: expect.stringMatching(/^text\/event-stream/) });
    const created = [];
    for (const [item, quantity] of [['tea', 2], ['coffee', 1], ['cocoa', 3]] as const) created.push(await createOrder(app, item, quantity));
    // Ids are strictly increasing on one channel.
    expect(created.map((c) => c.eventId)).toEqual([...created.map((c) => c.eventId)].sort((a, b) => a.localeCompare(b, 'en', { numeric: true })));
    expect(new Set(created.map((c) => c.eventId)).size).toBe(3);

    await stream.waitForEvents(3);
    await new Promise((r) => setTimeout(r, 100));
    expect(delivered(stream)).toEqual(created.map((c) => ({ id: c.eventId, type: 'order.created', data: c.body.order })));
    seen = created.map((c) => c.eventId);
    stream.close();
  });

  it('replays exactly what a client missed when it comes back with Last-Event-ID', async () => {
    const missed = [await createOrder(app, 'scones', 4), await createOrder(app, 'jam', 1)];
    const again = await openStream(`${app.url}/orders/stream`, { 'last-event-id': seen.at(-1)! });
    streams.push(again);
    await again.waitForEvents(2);
    await new Promise((r) => setTimeout(r, 150));
    // The two it missed, in order, and nothing from before its position.
    expect(delivered(again)).toEqual(missed.map((c) => ({ id: c.eventId, type: 'order.created', data: c.body.order })));
    // Then live, with no gap.
    const live = await createOrder(app, 'butter', 2);
    await again.waitForEvents(3);
    expect(delivered(again).map((e) => e.id)).toEqual([...missed.map((c) => c.eventId), live.eventId]);
    seen = [...seen, ...missed.map((c) => c.eventId), live.eventId];
    again.close();
  });

  it('mounts the module\'s HTTP API under /sse: publish, stream and history of the same channel', async () => {
    const mounted = await openStream(`${app.url}/sse/channels/orders/events`, KEY);
    const own = await openStream(`${app.url}/orders/stream`, { 'last-event-id': seen.at(-1)! });
    streams.push(mounted, own);
    expect(mounted.status).toBe(200);

    const published = await post(`${app.url}/sse/channels/orders/events`, { event: 'order.note', data: { text: 'ring twice' } }, KEY);
    expect({ status: published.status, body: published.body }).toEqual({ status: 201, body: { id: expect.any(String), channel: 'orders' } });
    const order = await createOrder(app, 'honey', 1);

    const expected = [
      { id: published.body.id, type: 'order.note', data: { text: 'ring twice' } },
      { id: order.eventId, type: 'order.created', data: order.body.order },
    ];
    await mounted.waitForEvents(2);
    await own.waitForEvents(2);
    expect(delivered(mounted)).toEqual(expected);
    expect(delivered(own)).toEqual(expected);

    const history = await request('GET', `${app.url}/sse/channels/orders/events`, { headers: { accept: 'application/json', ...KEY } });
    expect(history.status).toBe(200);
    expect(history.body.events.map((e: { id: string }) => e.id)).toEqual([...seen, published.body.id, order.eventId]);
    expect(history.body.head).toBe(order.eventId);
    mounted.close();
    own.close();
  });

  it('asks its own ChannelAuthorizer: 401 without the API key or with a wrong one, 403 on another channel, allowed with the key', async () => {
    const publish = (channel: string, headers: Record<string, string>) => post(`${app.url}/sse/channels/${channel}/events`, { data: { n: 1 } }, headers);
    const answers = {
      noKey: await publish('orders', {}),
      wrongKey: await publish('orders', { 'x-api-key': 'not-the-key' }),
      otherChannel: await publish('payments', KEY),
      streamNoKey: await request('GET', `${app.url}/sse/channels/orders/events`, { headers: { accept: 'application/json' } }),
      syncOtherChannel: await post(`${app.url}/sse/sync`, { channel: 'payments' }, KEY),
    };
    expect(Object.fromEntries(Object.entries(answers).map(([name, a]) => [name, { status: a.status, type: a.headers['content-type'], body: a.body }]))).toEqual({
      noKey: { status: 401, type: expect.stringMatching(/^application\/json/), body: { statusCode: 401, error: 'Unauthorized', message: "send this service's API key in an X-API-Key header" } },
      wrongKey: { status: 401, type: expect.stringMatching(/^application\/json/), body: { statusCode: 401, error: 'Unauthorized', message: 'the X-API-Key header holds no key of this service' } },
      otherChannel: { status: 403, type: expect.stringMatching(/^application\/json/), body: { statusCode: 403, error: 'Forbidden', message: 'the API key opens the orders channels only, not payments' } },
      streamNoKey: { status: 401, type: expect.stringMatching(/^application\/json/), body: { statusCode: 401, error: 'Unauthorized', message: "send this service's API key in an X-API-Key header" } },
      syncOtherChannel: { status: 403, type: expect.stringMatching(/^application\/json/), body: { statusCode: 403, error: 'Forbidden', message: 'the API key opens the orders channels only, not payments' } },
    });

    const allowed = await publish('orders.eu', KEY);
    expect({ status: allowed.status, channel: allowed.body.channel }).toEqual({ status: 201, channel: 'orders.eu' });
    const sync = await post(`${app.url}/sse/sync`, { channel: 'orders' }, KEY);
    expect({ status: sync.status, channel: sync.body.channel, lastEventId: sync.body.lastEventId }).toEqual({ status: 200, channel: 'orders', lastEventId: expect.any(String) });
    // Its own routes are its own business: the authorizer guards the mounted API only.
    expect((await post(`${app.url}/orders`, { item: 'bread', quantity: 1 })).status).toBe(201);
    expect((await post(`${app.url}/orders`, { item: '', quantity: 0 })).body).toEqual({
      statusCode: 400,
      error: 'Bad Request',
      message: ['item must be a string of 1-200 characters', 'quantity must be an integer from 1 to 1000'],
    });
  });

  it('stops cleanly on SIGTERM: exit code 0, nothing logged as an error', async () => {
    streams.forEach((s) => s.close());
    // Wait until the server has seen the clients go, so that nothing holds the close.
    await new Promise((r) => setTimeout(r, 200));
    const started = Date.now();
    app.child.kill('SIGTERM');
    const exit = await Promise.race([app.exited, new Promise((r) => setTimeout(() => r('still running after 8 s'), 8000))]);
    expect(exit).toEqual({ code: 0, signal: null });
    expect(Date.now() - started).toBeLessThan(8000);
    expect(app.output()).not.toMatch(/\bERROR\b/);
  });
});

// The module's guarantees for a stream the application serves from its own @Sse() handler
// (`channel.stream()`), as the gateway's own routes have them: one stream writer for every
// stream. Each test starts its own instance with small limits.
describe('examples/orders: its own @Sse() route gets what every stream of the module gets', () => {
  const DRAIN_MS = 1000;
  const EVENT_BYTES = 32 * 1024;
  const EVENTS = 200; // 6.4 MB: more than the kernel buffers for a socket nobody reads

  /** A subscriber that sends its request and then reads nothing. */
  const stalledClient = (port: number, url: string) =>
    new Promise<net.Socket>((resolve, reject) => {
      const socket = net.connect(port, '127.0.0.1', () => {
        socket.write(`GET ${url} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n`);
        socket.pause();
        resolve(socket);
      });
      socket.on('error', () => undefined);
      socket.once('error', reject);
    });

  it('is counted with the mounted API\'s streams: past SSE_MAX_CONNECTIONS it is refused with 503', async () => {
    const app = await startOrders({ SSE_MAX_CONNECTIONS: '2' });
    const own = await openStream(`${app.url}/orders/stream`);
    const mounted = await openStream(`${app.url}/sse/channels/orders/events`, KEY);
    const thirdOwn = await openStream(`${app.url}/orders/stream`);
    const thirdMounted = await openStream(`${app.url}/sse/channels/orders/events`, KEY);
    const statuses = { own: own.status, mounted: mounted.status, thirdOwn: thirdOwn.status, thirdMounted: thirdMounted.status };
    [own, mounted, thirdOwn, thirdMounted].forEach((s) => s.close());
    await app.kill();
    expect(statuses).toEqual({ own: 200, mounted: 200, thirdOwn: 503, thirdMounted: 503 });
  });

  it('is cut when its client stalls, past SSE_MAX_BUFFER_BYTES of unsent events, while a reading client gets them all', async () => {
    const app = await startOrders({ SSE_MAX_BUFFER_BYTES: String(4 * EVENT_BYTES) });
    const stalled = await stalledClient(app.port, '/orders/stream');
    const reader = await openStream(`${app.url}/orders/stream`);
    const payload = 'x'.repeat(EVENT_BYTES - 100);
    let lastId = '';
    for (let i = 0; i < EVENTS; i++) {
      const answer = await post(`${app.url}/sse/channels/orders/events`, { event: 'order.bulk', data: { i, payload } }, KEY);
      expect(answer.status).toBe(201);
      lastId = answer.body.id;
    }
    await reader.waitUntil(() => reader.parser.lastEventId === lastId, 20_000, 'the reading client got the last event');
    expect(reader.parser.events.length).toBe(EVENTS);
    reader.close();

    // The stalled client reads again: what it gets ends, well short of every event.
    let text = '';
    const ended = new Promise<void>((resolve) => {
      stalled.on('end', resolve);
      stalled.on('close', resolve);
    });
    stalled.on('data', (chunk: Buffer) => (text += chunk.toString('latin1')));
    stalled.resume();
    const outcome = await Promise.race([ended.then(() => 'ended'), new Promise((r) => setTimeout(() => r('still open after 10 s'), 10_000))]);
    stalled.destroy();
    await app.kill();
    const received = (text.match(/\nevent: order\.bulk\n/g) ?? []).length;
    expect({ outcome, cutShort: received < EVENTS }).toEqual({ outcome: 'ended', cutShort: true });
  }, 120_000);

  it('is drained on SIGTERM: told to come back within SSE_DRAIN_MS, ended, and the process exits 0', async () => {
    const app = await startOrders({ SSE_DRAIN_MS: String(DRAIN_MS) });
    const stream = await openStream(`${app.url}/orders/stream`);
    const order = await createOrder(app, 'tea');
    await stream.waitForEvents(1);
    expect(stream.parser.retry).toBe(3000);

    app.child.kill('SIGTERM');
    const streamEnd = await Promise.race([stream.ended.then(() => 'ended'), new Promise((r) => setTimeout(() => r('still open after 3 s'), 3000))]);
    const exit = await Promise.race([app.exited, new Promise((r) => setTimeout(() => r('still running after 5 s'), 5000))]);
    stream.close();
    await app.kill();
    expect({
      streamEnd,
      lastId: stream.parser.lastEventId,
      // The drain's retry replaced the first one: a random delay below SSE_DRAIN_MS.
      drainRetryBelowDrainMs: stream.parser.retry !== undefined && stream.parser.retry < DRAIN_MS,
      exit,
    }).toEqual({ streamEnd: 'ended', lastId: order.eventId, drainRetryBelowDrainMs: true, exit: { code: 0, signal: null } });
  }, 30_000);
});
