import { randomUUID } from 'node:crypto';
import net from 'node:net';
import { startGatewayProcess, type GatewayProcess } from './support/gateway-process.js';
import { eventually, sleep } from './support/ports.js';
import { Exposition, scrape } from './support/prometheus-text.js';
import { startRedis, type RedisServer } from './support/redis-server.js';
import { openStream, post, request, type TestStream } from './support/sse-client.js';
import { TEST_SECRET, signToken } from './support/tokens.js';

// GET /metrics of the built gateway (dist/main.js) with real Redis: after a known sequence of
// publishes, streams, replays, resets and cuts, every series holds exactly what happened;
// the exposition is read with the Prometheus client's own parser.

const CLOSE_REASONS = ['client', 'slow-consumer', 'rebalanced', 'drained', 'token-expired', 'error'] as const;

async function metricsOf(gateway: GatewayProcess): Promise<Exposition> {
  const answer = await scrape(`${gateway.url}/metrics`);
  expect(answer.status).toBe(200);
  return answer.exposition!;
}

/** Streams closed by reason, as /metrics has them. */
function closedByReason(metrics: Exposition): Record<string, number> {
  return Object.fromEntries(CLOSE_REASONS.map((reason) => [reason, metrics.value('sse_streams_closed_total', { reason })]));
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

/**
 * `GET path` on a connection of its own with the head's last line break held back: a
 * request in flight, which a draining gateway still answers after it stopped listening.
 */
async function holdRequest(port: number, path: string): Promise<{ finish(): Promise<string> }> {
  const socket = net.connect(port, '127.0.0.1');
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  socket.write(`GET ${path} HTTP/1.1\r\nHost: probe\r\nConnection: close\r\n`);
  let text = '';
  socket.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  return {
    async finish() {
      socket.write('\r\n');
      await closed;
      expect(text).toMatch(/^HTTP\/1\.1 200 /);
      return text.slice(text.indexOf('\r\n\r\n') + 4);
    },
  };
}

function refusesConnections(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(true));
  });
}

describe('GET /metrics', () => {
  let redis: RedisServer;
  const gateways: GatewayProcess[] = [];
  const streams: TestStream[] = [];
  const sockets: net.Socket[] = [];

  const start = async (env: Record<string, string>) => {
    const gateway = await startGatewayProcess(env);
    gateways.push(gateway);
    return gateway;
  };
  const open = async (url: string, headers: Record<string, string> = {}) => {
    const stream = await openStream(url, headers);
    streams.push(stream);
    expect(stream.status).toBe(200);
    return stream;
  };
  /** A stream opened without a position is live once its first id (the channel's head) arrived. */
  const openLive = async (url: string, headers: Record<string, string> = {}) => {
    const stream = await open(url, headers);
    await stream.waitUntil(() => stream.parser.lastEventId !== '', 5000, 'the head position');
    return stream;
  };

  beforeAll(async () => {
    redis = await startRedis();
  });

  afterAll(async () => {
    streams.forEach((s) => s.close());
    sockets.forEach((s) => s.destroy());
    await Promise.all(gateways.map((g) => g.kill()));
    await redis?.stop();
  });

  it('counts a known sequence exactly: publishes, streams, replay, resets, a 503, a slow consumer, the drain', async () => {
    const gateway = await start({
      REDIS_URL: redis.url,
      SSE_KEY_PREFIX: `${randomUUID()}:`,
      SSE_METRICS_CHANNELS: 'orders.*,firehose',
      SSE_HISTORY_LIMIT: '10',
      SSE_MAX_BUFFER_BYTES: String(128 * 1024),
      SSE_PUBLISH_TIMEOUT_MS: '300',
      SSE_REBALANCE_RATIO: '0',
    });
    const base = gateway.url;
    // On a timeout, say what the gateway counted and logged.
    const waitFor = (check: () => Promise<boolean>, what: string, timeoutMs = 5000) =>
      eventually(check, timeoutMs, what).catch(async (error: Error) => {
        throw new Error(`${error.message}\n/health: ${(await request('GET', `${base}/health`)).text}\n${gateway.output().slice(-3000)}`);
      });
    const publish = (channel: string, data: unknown, key?: string) =>
      post(`${base}/channels/${channel}/events`, { data }, key ? { 'idempotency-key': key } : {});

    const fresh = await scrape(`${base}/metrics`);
    expect(fresh.status).toBe(200);
    expect(fresh.contentType).toBe('text/plain; version=0.0.4; charset=utf-8');
    const zero = fresh.exposition!;
    expect(zero.value('sse_streams_open')).toBe(0);
    expect(zero.value('sse_streams_opened_total')).toBe(0);
    expect(closedByReason(zero)).toEqual({ client: 0, 'slow-consumer': 0, rebalanced: 0, drained: 0, 'token-expired': 0, error: 0 });
    expect(zero.value('sse_redis_connections', { role: 'command' })).toBe(1);
    expect(zero.value('sse_redis_connections', { role: 'subscriber' })).toBe(1);
    await waitFor(async () => (await metricsOf(gateway)).value('sse_redis_connections', { role: 'presence' }) === 1, 'presence connected');
    // Node's default metrics come with them, in the same registry.
    expect(zero.familyOf('process_cpu_user_seconds_total').type).toBe('counter');
    expect(zero.familyOf('nodejs_heap_size_used_bytes').type).toBe('gauge');

    // K = 3 streams on an allow-listed channel, one on another.
    const orders = await Promise.all([0, 1, 2].map(() => openLive(`${base}/channels/orders.eu/events`)));
    const misc = await openLive(`${base}/channels/misc/events`);
    // N = 5 accepted with idempotency keys, then M = 2 retries of them.
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const answer = await publish('orders.eu', { i }, `key-${i}`);
      expect(answer.status).toBe(201);
      ids.push(answer.body.id);
    }
    for (const i of [0, 1]) {
      const retry = await publish('orders.eu', { i }, `key-${i}`);
      expect(retry.status).toBe(201);
      expect(retry.body.id).toBe(ids[i]);
    }
    for (let i = 0; i < 2; i++) expect((await publish('misc', { i })).status).toBe(201);
    await Promise.all(orders.map((s) => s.waitForEvents(5)));
    await misc.waitForEvents(2);

    let metrics = await metricsOf(gateway);
    expect(metrics.value('sse_streams_open')).toBe(4);
    expect(metrics.value('sse_streams_opened_total')).toBe(4);
    expect(metrics.value('sse_events_published_total', { outcome: 'accepted', channel: 'orders.eu' })).toBe(5);
    expect(metrics.value('sse_events_published_total', { outcome: 'duplicate', channel: 'orders.eu' })).toBe(2);
    expect(metrics.value('sse_events_published_total', { outcome: 'accepted', channel: 'other' })).toBe(2);
    // Frames: each event once per local subscriber; the lag: one observation per event.
    expect(metrics.value('sse_frames_delivered_total', { channel: 'orders.eu' })).toBe(15);
    expect(metrics.value('sse_frames_delivered_total', { channel: 'other' })).toBe(2);
    expect(metrics.value('sse_delivery_lag_seconds_count', { channel: 'orders.eu' })).toBe(5);
    expect(metrics.value('sse_delivery_lag_seconds_count', { channel: 'other' })).toBe(2);
    expect(metrics.value('sse_delivery_lag_seconds_bucket', { channel: 'orders.eu', le: '+Inf' })).toBe(5);
    expect(metrics.value('sse_delivery_lag_seconds_sum', { channel: 'orders.eu' })).toBeGreaterThanOrEqual(0);
    expect(metrics.value('sse_delivery_lag_seconds_sum', { channel: 'orders.eu' })).toBeLessThan(5 * 2);
    // The allow-list: matching channels by name, the rest only as "other".
    const channels = new Set(metrics.labelSets('sse_events_published_total').map((l) => l.channel));
    expect([...channels].sort()).toEqual(['orders.eu', 'other']);

    // Replay: resuming after the second event sends the three after it.
    const resumed = await open(`${base}/channels/orders.eu/events`, { 'last-event-id': ids[1]! });
    expect((await resumed.waitForEvents(3)).map((e) => e.lastEventId)).toEqual(ids.slice(2));
    // Resets: a position that is none, and one older than the kept history (10 events).
    const lost = await open(`${base}/channels/orders.eu/events`, { 'last-event-id': 'not-a-position' });
    expect((await lost.waitForEvents(1))[0]!.type).toBe('reset');
    const trimIds: string[] = [];
    for (let i = 0; i < 12; i++) trimIds.push((await publish('trim', { i })).body.id);
    const trimmed = await open(`${base}/channels/trim/events`, { 'last-event-id': trimIds[0]! });
    const [reset] = await trimmed.waitForEvents(1);
    expect(reset).toMatchObject({ type: 'reset' });
    expect(JSON.parse(reset!.data)).toMatchObject({ reason: 'trimmed' });
    for (const stream of [resumed, lost, trimmed]) stream.close();
    await waitFor(async () => (await metricsOf(gateway)).value('sse_streams_closed_total', { reason: 'client' }) === 3, 'three closed by the client');

    // Redis hangs: a publish is refused with 503, and a stream that cannot start ends as an error.
    redis.pause();
    try {
      expect((await publish('paused', { late: true })).status).toBe(503);
      const failing = await open(`${base}/channels/paused.stream/events`);
      await failing.ended;
    } finally {
      redis.resume();
    }
    // A health check PING that timed out during the pause reconnects its connection a moment
    // later: wait past that, until every connection is ready, before opening the next stream.
    await sleep(1000);
    await waitFor(async () => {
      const now = await metricsOf(gateway);
      return ['command', 'subscriber', 'presence'].every((role) => now.value('sse_redis_connections', { role }) === 1);
    }, 'every Redis connection ready again after the pause', 10_000);

    // A client that stops reading is cut once its unsent bytes pass SSE_MAX_BUFFER_BYTES.
    sockets.push(await stalledClient(gateway.port, '/channels/firehose/events'));
    await waitFor(async () => (await metricsOf(gateway)).value('sse_streams_open') === 5, 'stalled client subscribed');
    const payload = 'x'.repeat(60_000);
    let firehose = 0;
    const slowCut = async () => (await request('GET', `${base}/health`)).body.connections.closed['slow-consumer'] === 1;
    while (!(await slowCut())) {
      expect(firehose).toBeLessThan(1000);
      const batch = await Promise.all(Array.from({ length: 10 }, () => publish('firehose', payload)));
      expect(batch.map((a) => a.status)).toEqual(Array(10).fill(201));
      firehose += 10;
    }

    // One of the first streams leaves.
    orders[0]!.close();
    await waitFor(async () => (await metricsOf(gateway)).value('sse_streams_closed_total', { reason: 'client' }) === 4, 'fourth closed by the client');

    metrics = await metricsOf(gateway);
    // Streams: 4 + 3 (replay, resets) + 1 (failed start) + 1 (stalled) opened; 3 still open.
    expect(metrics.value('sse_streams_opened_total')).toBe(9);
    expect(metrics.value('sse_streams_open')).toBe(3);
    expect(closedByReason(metrics)).toEqual({ client: 4, 'slow-consumer': 1, rebalanced: 0, drained: 0, 'token-expired': 0, error: 1 });
    // /health counts the same streams under the same reasons.
    const health = (await request('GET', `${base}/health`)).body.connections;
    expect(health).toEqual({ open: 3, opened: 9, closed: closedByReason(metrics), draining: false });

    expect(metrics.value('sse_events_published_total', { outcome: 'accepted', channel: 'orders.eu' })).toBe(5);
    expect(metrics.value('sse_events_published_total', { outcome: 'duplicate', channel: 'orders.eu' })).toBe(2);
    expect(metrics.value('sse_events_published_total', { outcome: 'accepted', channel: 'other' })).toBe(2 + 12);
    expect(metrics.value('sse_events_published_total', { outcome: 'refused', channel: 'other' })).toBe(1);
    expect(metrics.value('sse_events_published_total', { outcome: 'accepted', channel: 'firehose' })).toBe(firehose);
    expect(metrics.value('sse_replayed_events_total')).toBe(3);
    expect(metrics.value('sse_resets_total', { reason: 'unknown' })).toBe(1);
    expect(metrics.value('sse_resets_total', { reason: 'trimmed' })).toBe(1);
    // Nothing more reached the streams of orders.eu or the other channels (trim, paused: no live subscriber).
    expect(metrics.value('sse_frames_delivered_total', { channel: 'orders.eu' })).toBe(15);
    expect(metrics.value('sse_frames_delivered_total', { channel: 'other' })).toBe(2);
    // The stalled client got frames until it was cut (the frame that overflowed it is not counted).
    const firehoseFrames = metrics.value('sse_frames_delivered_total', { channel: 'firehose' });
    expect(firehoseFrames).toBeGreaterThan(0);
    expect(firehoseFrames).toBeLessThan(firehose);
    expect(metrics.value('sse_delivery_lag_seconds_count', { channel: 'firehose' })).toBeGreaterThanOrEqual(firehoseFrames);
    expect(metrics.value('sse_rebalance_shed_streams_total')).toBe(0);

    // SIGTERM: the three open streams are drained; a scrape already in flight still answers.
    const inFlight = await holdRequest(gateway.port, '/metrics');
    await new Promise((r) => setTimeout(r, 300)); // the gateway has read the head so far
    gateway.child.kill('SIGTERM');
    await eventually(() => refusesConnections(gateway.port), 5000, 'listener closed');
    const drained = Exposition.parse(await inFlight.finish());
    expect(drained.value('sse_streams_open')).toBe(0);
    expect(closedByReason(drained)).toEqual({ client: 4, 'slow-consumer': 1, rebalanced: 0, drained: 3, 'token-expired': 0, error: 1 });
    expect(await gateway.exited).toBe(0);
  }, 90_000);

  it('counts the streams the rebalancer sheds as rebalanced, and the sheds, as /cluster does', async () => {
    const env = {
      REDIS_URL: redis.url,
      SSE_KEY_PREFIX: `${randomUUID()}:`,
      SSE_REBALANCE_RATIO: '1.25',
      SSE_REBALANCE_RATE: '20',
      SSE_PRESENCE_INTERVAL_MS: '250',
    };
    const [full, empty] = await Promise.all([start(env), start(env)]);
    await eventually(async () => (await request('GET', `${full!.url}/cluster`)).body.instances.length === 2, 10_000, 'both instances seen');
    // Ten streams on one instance, none on the other; the clients do not come back, so the
    // full one sheds until it holds no more than the (shrinking) mean allows: one stream.
    await Promise.all(Array.from({ length: 10 }, () => open(`${full!.url}/channels/spread/events`)));
    await eventually(async () => (await metricsOf(full!)).value('sse_streams_open') === 1, 20_000, 'shed down to one stream');
    const metrics = await metricsOf(full!);
    expect(metrics.value('sse_streams_opened_total')).toBe(10);
    expect(metrics.value('sse_rebalance_shed_streams_total')).toBe(9);
    expect(closedByReason(metrics)).toEqual({ client: 0, 'slow-consumer': 0, rebalanced: 9, drained: 0, 'token-expired': 0, error: 0 });
    expect((await request('GET', `${full!.url}/cluster`)).body.shedByThisInstance).toBe(9);
    expect((await metricsOf(empty!)).value('sse_rebalance_shed_streams_total')).toBe(0);
  }, 60_000);

  it('reports Redis connections down, their errors, and up again', async () => {
    const own = await startRedis();
    try {
      const gateway = await start({ REDIS_URL: own.url, SSE_KEY_PREFIX: `${randomUUID()}:`, SSE_PRESENCE_INTERVAL_MS: '250' });
      const roles = ['command', 'subscriber', 'presence'];
      const state = async () => {
        const metrics = await metricsOf(gateway);
        return Object.fromEntries(roles.map((role) => [role, metrics.value('sse_redis_connections', { role })]));
      };
      await eventually(async () => Object.values(await state()).every((up) => up === 1), 10_000, 'all three connected');
      const before = await metricsOf(gateway);
      expect(roles.map((role) => before.value('sse_redis_errors_total', { role }))).toEqual([0, 0, 0]);

      await own.kill();
      await eventually(async () => Object.values(await state()).every((up) => up === 0), 10_000, 'all three down');
      await eventually(async () => {
        const metrics = await metricsOf(gateway);
        return roles.every((role) => metrics.value('sse_redis_errors_total', { role }) >= 1);
      }, 10_000, 'errors counted for every role (refused reconnects)');

      await own.restart();
      await eventually(async () => Object.values(await state()).every((up) => up === 1), 15_000, 'all three back');
    } finally {
      await own.stop();
    }
  }, 60_000);

  it('counts a stream ended by its token expiring as token-expired; no channel label without an allow-list', async () => {
    const gateway = await start({ SSE_JWT_SECRET: TEST_SECRET, SSE_JWT_CLOCK_TOLERANCE_S: '0' });
    const reader = await signToken({ sse: { subscribe: ['orders.*'] } }, { expIn: 2 });
    const writer = await signToken({ sse: { publish: ['orders.*'] } });
    const stream = await openLive(`${gateway.url}/channels/orders.eu/events`, { authorization: `Bearer ${reader}` });
    const published = await post(`${gateway.url}/channels/orders.eu/events`, { data: 1 }, { authorization: `Bearer ${writer}` });
    expect(published.status).toBe(201);
    await stream.ended;
    expect(stream.parser.setAside.concat(stream.parser.events).some((e) => e.type === 'sse.token-expired')).toBe(true);

    const metrics = await eventually(async () => {
      const now = await metricsOf(gateway);
      return now.value('sse_streams_closed_total', { reason: 'token-expired' }) === 1 ? now : null;
    }, 5000, 'closed as token-expired');
    expect(closedByReason(metrics)).toEqual({ client: 0, 'slow-consumer': 0, rebalanced: 0, drained: 0, 'token-expired': 1, error: 0 });
    expect((await request('GET', `${gateway.url}/health`)).body.connections.closed).toEqual(closedByReason(metrics));
    // No allow-list: the per-channel series carry no channel label at all.
    expect(metrics.labelSets('sse_events_published_total')).toEqual([{ outcome: 'accepted' }, { outcome: 'duplicate' }, { outcome: 'refused' }]);
    expect(metrics.value('sse_events_published_total', { outcome: 'accepted' })).toBe(1);
    expect(metrics.value('sse_frames_delivered_total')).toBe(1);
    expect(metrics.value('sse_delivery_lag_seconds_count')).toBe(1);
    // The in-memory broker has no Redis connection to report.
    expect(metrics.samples('sse_redis_connections')).toEqual([]);
  }, 30_000);

  it('answers 404 with SSE_METRICS=false', async () => {
    const gateway = await start({ SSE_METRICS: 'false' });
    const answer = await request('GET', `${gateway.url}/metrics`);
    expect(answer.status).toBe(404);
    expect(answer.body).toMatchObject({ statusCode: 404 });
    expect((await request('GET', `${gateway.url}/health`)).status).toBe(200);
  }, 30_000);
});
