import { readFileSync } from 'node:fs';
import net from 'node:net';
import { startGatewayProcess, type GatewayProcess } from './support/gateway-process.js';
import { eventually, sleep } from './support/ports.js';
import { openStream, post, request } from './support/sse-client.js';

const EVENT_BYTES = 8 * 1024;
const EVENTS = 800; // 6.4 MB per subscriber: more than the kernel buffers a stalled socket
const MAX_BUFFER = 64 * 1024;

function rssMiB(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(match![1]) / 1024;
}

/** A subscriber that sends its request and then never reads a byte. */
function stalledClient(port: number, path: string): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => {
      socket.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n`);
      socket.pause();
      resolve(socket);
    });
    socket.on('error', () => undefined);
    socket.once('error', reject);
  });
}

/** A subscriber that reads everything and counts its events cheaply (no parsing of 6 MB each). */
function countingClient(url: string): Promise<{ count: () => number; lastId: () => string; close: () => void }> {
  return openStream(url).then((stream) => ({
    count: () => (stream.text().match(/\nid: \d+-\d+\.\w+\nevent: big\n/g) ?? []).length,
    lastId: () => stream.parser.lastEventId,
    close: () => stream.close(),
  }));
}

/** Publishes `count` events of `bytes` each on `channel`, one after another; the ids. */
async function publishBig(gateway: GatewayProcess, channel: string, count: number, bytes: number): Promise<string[]> {
  const ids: string[] = [];
  const payload = 'x'.repeat(bytes);
  for (let i = 0; i < count; i++) {
    const answer = await post(`${gateway.url}/channels/${channel}/events`, { event: 'big', data: { i, payload } });
    expect(answer.status).toBe(201);
    ids.push(answer.body.id);
  }
  return ids;
}

// Clients that stop reading must not make the process hold their events: past
// SSE_MAX_BUFFER_BYTES they are cut off (and resume later from their last id), while
// clients that read keep receiving everything.
describe('slow consumers', () => {
  const gateways: GatewayProcess[] = [];
  afterAll(async () => {
    await Promise.all(gateways.map((g) => g.kill()));
  });
  const start = async (env: Record<string, string> = {}) => {
    const gateway = await startGatewayProcess({ SSE_MAX_BUFFER_BYTES: String(MAX_BUFFER), SSE_MAX_EVENT_BYTES: String(2 * EVENT_BYTES), ...env });
    gateways.push(gateway);
    return gateway;
  };

  it('keeps memory bounded with 100 stalled clients while healthy ones get every event', async () => {
    // Reference: a fresh process serving 100 healthy clients.
    const reference = await start();
    const healthy = await Promise.all(Array.from({ length: 100 }, () => countingClient(`${reference.url}/channels/firehose/events`)));
    const referenceBefore = rssMiB(reference.child.pid!);
    let referencePeak = referenceBefore;
    const sampler = setInterval(() => (referencePeak = Math.max(referencePeak, rssMiB(reference.child.pid!))), 50);
    const referenceStarted = Date.now();
    const referenceIds = await publishBig(reference, 'firehose', EVENTS, EVENT_BYTES);
    await eventually(() => healthy.every((c) => c.count() === EVENTS), 60_000, 'healthy clients got every event');
    const referenceMs = Date.now() - referenceStarted;
    clearInterval(sampler);
    healthy.forEach((c) => c.close());
    expect(healthy.every((c) => c.lastId() === referenceIds.at(-1))).toBe(true);

    // The same load with 100 clients that never read, beside 20 healthy ones.
    const gateway = await start();
    const stalled = await Promise.all(Array.from({ length: 100 }, () => stalledClient(gateway.port, '/channels/firehose/events')));
    const fast = await Promise.all(Array.from({ length: 20 }, () => countingClient(`${gateway.url}/channels/firehose/events`)));
    await eventually(async () => (await request('GET', `${gateway.url}/health`)).body.connections.open === 120, 5000, '120 streams open');
    const before = rssMiB(gateway.child.pid!);
    let peak = before;
    const sampling = setInterval(() => (peak = Math.max(peak, rssMiB(gateway.child.pid!))), 50);
    const started = Date.now();
    const ids = await publishBig(gateway, 'firehose', EVENTS, EVENT_BYTES);
    await eventually(() => fast.every((c) => c.count() === EVENTS), 60_000, 'fast clients got every event');
    const tookMs = Date.now() - started;
    clearInterval(sampling);
    fast.forEach((c) => c.close());

    const stats = (await request('GET', `${gateway.url}/health`)).body.connections;
    stalled.forEach((s) => s.destroy());
    process.stdout.write(
      `  RSS MiB: 100 healthy ${referenceBefore.toFixed(0)} -> peak ${referencePeak.toFixed(0)}; ` +
        `100 stalled + 20 healthy ${before.toFixed(0)} -> peak ${peak.toFixed(0)}; ` +
        `${stats.closed['slow-consumer']} cut as slow; 800 events to every fast client in ${tookMs} ms (reference: ${referenceMs} ms)\n`,
    );
    expect(fast.every((c) => c.lastId() === ids.at(-1))).toBe(true);
    expect(stats.closed['slow-consumer']).toBe(100);
    // Unbounded, the stalled clients alone would pin 100 x ~2 MB of unsent events past the kernel's buffers.
    expect(peak - before).toBeLessThan(80);
  }, 180_000);

  it('lets a slow client of a state channel skip to the newest event instead of cutting it off', async () => {
    const gateway = await start({ SSE_LATEST_CHANNELS: 'state.*' });
    const slow = await stalledClient(gateway.port, '/channels/state.robot/events');
    await eventually(async () => (await request('GET', `${gateway.url}/health`)).body.connections.open === 1, 5000, 'stream open');
    const ids = await publishBig(gateway, 'state.robot', EVENTS, EVENT_BYTES);
    // Still connected: nothing was cut.
    const stats = (await request('GET', `${gateway.url}/health`)).body.connections;
    expect(stats.open).toBe(1);
    expect(stats.closed['slow-consumer']).toBe(0);
    // It reads again: what reaches it ends with the newest event, and far fewer than all of them.
    let text = '';
    slow.on('data', (chunk: Buffer) => (text += chunk.toString('latin1')));
    slow.resume();
    await eventually(() => text.includes(`id: ${ids.at(-1)}\n`), 20_000, 'the newest event arrives');
    await sleep(200);
    const received = (text.match(/\nid: [^\n]+\nevent: big\n/g) ?? []).length;
    process.stdout.write(`  state channel: ${received} of ${EVENTS} events reached the slow client, ending with the newest\n`);
    expect(received).toBeLessThan(EVENTS);
    slow.destroy();
  }, 120_000);
});

describe('admission', () => {
  let gateway: GatewayProcess;
  afterAll(() => gateway?.kill());

  it('answers streams beyond SSE_MAX_CONNECTIONS with 503 and Retry-After', async () => {
    gateway = await startGatewayProcess({ SSE_MAX_CONNECTIONS: '3', SSE_RETRY_MS: '2000' });
    const open = await Promise.all(Array.from({ length: 3 }, () => openStream(`${gateway.url}/channels/a/events`)));
    expect(open.map((s) => s.status)).toEqual([200, 200, 200]);
    const refused = await openStream(`${gateway.url}/channels/a/events`);
    expect(refused.status).toBe(503);
    expect(refused.headers['retry-after']).toBe('2');
    await refused.ended;
    expect(JSON.parse(refused.text())).toMatchObject({ statusCode: 503, message: expect.stringMatching(/maximum of 3 streams/) });
    // Publishing is not a stream: still accepted.
    expect((await post(`${gateway.url}/channels/a/events`, { data: 1 })).status).toBe(201);
    open[0]!.close();
    const again = await eventually(async () => {
      const stream = await openStream(`${gateway.url}/channels/a/events`);
      if (stream.status === 200) return stream;
      stream.close();
      return null;
    }, 5000, 'a freed slot is taken');
    [...open, again].forEach((s) => s.close());
  });
});
