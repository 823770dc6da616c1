import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runGatewayExpectingExit, startGatewayProcess, type GatewayProcess } from './support/gateway-process.js';
import { eventually, freePort } from './support/ports.js';
import { startRedis, type RedisServer } from './support/redis-server.js';
import { openStream, post, request, type TestStream } from './support/sse-client.js';

const CLUSTER_ENTRY = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../dist/cluster-main.js');

/** The pids the pool's primary logged for worker `n` so far ("started", then "is back"), oldest first. */
function workerPids(pool: GatewayProcess, n: number): number[] {
  const lines = pool.output().matchAll(new RegExp(`worker ${n} (?:started|is back): instance \\S+, pid (\\d+)`, 'g'));
  return [...lines].map((m) => Number(m[1]));
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function openReadyStream(url: string): Promise<TestStream> {
  const stream = await openStream(url);
  expect(stream.status).toBe(200);
  // `sse.connected` carries the start position: the stream is subscribed from here on.
  await stream.waitUntil(() => stream.parser.lastEventId !== '', 5000, 'sse.connected');
  return stream;
}

// SSE_WORKERS: gateway processes on one port, sharing events through Redis (README: Every core).
describe('dist/cluster-main.js (npm run start:cluster)', () => {
  let redis: RedisServer;
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    await redis?.stop();
  });

  it('runs two gateways on one port: streams land on both, events cross, a killed worker is replaced, SIGTERM drains both and exits 0', async () => {
    const pool = await startGatewayProcess(
      { REDIS_URL: redis.url, SSE_WORKERS: '2', INSTANCE_ID: 'pool', SSE_KEY_PREFIX: `cm${Date.now()}:`, SSE_DRAIN_MS: '300' },
      { entry: CLUSTER_ENTRY, timeoutMs: 40_000 },
    );
    const streams: TestStream[] = [];
    try {
      // One ready line, once both workers listen, naming them.
      expect(pool.output().match(/listening on/g)).toHaveLength(1);
      expect(pool.output()).toMatch(new RegExp(`instance pool listening on 127\\.0\\.0\\.1:${pool.port} \\(2 workers: pool-w1, pool-w2; redis `));
      const [first1] = workerPids(pool, 1);
      const [first2] = workerPids(pool, 2);
      expect([first1, first2].every(isRunning)).toBe(true);

      const url = `${pool.url}/channels/everywhere/events`;
      for (let i = 0; i < 6; i++) streams.push(await openReadyStream(url));
      const servedBy = streams.map((s) => s.headers['x-instance-id']);
      expect(new Set(servedBy)).toEqual(new Set(['pool-w1', 'pool-w2']));

      // A publish taken by either worker reaches the streams of both, with one id.
      const published = await post(`${pool.url}/channels/everywhere/events`, { data: 'one' });
      expect(published.status).toBe(201);
      for (const stream of streams) expect(await stream.waitForEvents(1)).toEqual([expect.objectContaining({ lastEventId: published.body.id, data: '"one"' })]);

      // Worker 1 dies: its streams end, worker 2 keeps the port, and a new worker 1 takes its place.
      process.kill(first1, 'SIGKILL');
      const onW1 = streams.filter((s) => s.headers['x-instance-id'] === 'pool-w1');
      await Promise.all(onW1.map((s) => s.ended));
      // (A kept-alive socket of the dead worker may still be in the client's pool: a fresh one each time.)
      const health = await request('GET', `${pool.url}/health`, { headers: { connection: 'close' } }).catch(() => request('GET', `${pool.url}/health`));
      expect(health.headers['x-instance-id']).toBe('pool-w2');
      await eventually(() => /worker 1 \(instance pool-w1, pid \d+\) exited unexpectedly \(signal SIGKILL\); starting a new one in 1\.0 s/.test(pool.output()), 5000, 'the exit logged');
      const replacement = await eventually(() => workerPids(pool, 1)[1], 20_000, 'worker 1 replaced');
      expect(replacement).not.toBe(first1);
      expect(pool.output().match(/listening on/g)).toHaveLength(1);

      // New streams reach the new worker 1 again (round robin), and get what worker 2 takes.
      let onNewW1: TestStream | undefined;
      for (let i = 0; i < 4 && !onNewW1; i++) {
        const stream = await openReadyStream(url);
        streams.push(stream);
        if (stream.headers['x-instance-id'] === 'pool-w1') onNewW1 = stream;
      }
      expect(onNewW1).toBeDefined();
      const second = await post(`${pool.url}/channels/everywhere/events`, { data: 'two' });
      expect(second.status).toBe(201);
      await onNewW1!.waitUntil(() => onNewW1!.parser.events.some((e) => e.lastEventId === second.body.id), 5000, 'the second event');

      // SIGTERM: every worker drains its streams (each told when to come back), then the pool exits 0.
      const open = streams.filter((s) => !onW1.includes(s));
      expect(await pool.stop(20_000)).toBe(0);
      await Promise.all(open.map((s) => s.ended));
      for (const stream of open) expect(stream.text()).toMatch(/retry: \d+\n\n$/);
      expect(pool.output()).toMatch(/SIGTERM: draining 2 workers and stopping/);
      expect([replacement, first2].some(isRunning)).toBe(false);
    } finally {
      for (const stream of streams) stream.close();
      await pool.kill();
    }
  }, 90_000);

  it('refuses to start several workers without Redis, which is how they share events', async () => {
    const { code, output } = await runGatewayExpectingExit({ PORT: String(await freePort()), SSE_WORKERS: '2' });
    expect(code).toBe(1);
    expect(output).toMatch(/SSE_WORKERS=2 runs 2 processes, which share events only through Redis: set REDIS_URL/);
    expect(output).not.toMatch(/listening on/);
  });
});
