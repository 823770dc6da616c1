import net from 'node:net';
import { startGatewayProcess, type GatewayProcess } from './support/gateway-process.js';
import { eventually, sleep } from './support/ports.js';
import { startRedis, type RedisServer } from './support/redis-server.js';
import { request } from './support/sse-client.js';

// Liveness and readiness of the built gateway (dist/main.js) as orchestrators probe them:
// a stopped Redis, a stalled event loop (the process is SIGSTOPped), a drain on SIGTERM.

const LIMIT_MS = 500;

interface HeldRequest {
  /** Sends the rest of the request and resolves with the whole answer. */
  finish(): Promise<{ status: number; body: unknown }>;
}

/**
 * Starts `GET path` on a connection of its own and holds back the head's last line break: a
 * request in flight, which a closing Node server waits for instead of dropping.
 */
async function holdRequest(port: number, path: string): Promise<HeldRequest> {
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
      const [head, body] = text.split('\r\n\r\n');
      return { status: Number(/^HTTP\/1\.1 (\d{3})/.exec(head ?? '')?.[1] ?? 0), body: JSON.parse(body ?? 'null') };
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

describe('GET /health/live and /health/ready', () => {
  describe('with the in-memory broker', () => {
    let gateway: GatewayProcess;
    beforeEach(async () => {
      gateway = await startGatewayProcess({ SSE_LIVENESS_MAX_DELAY_MS: String(LIMIT_MS) });
    });
    afterEach(async () => {
      gateway.child.kill('SIGCONT');
      await gateway.kill();
    });

    it('answers 200 with small JSON bodies, and /health as before', async () => {
      const live = await request('GET', `${gateway.url}/health/live`);
      expect(live.status).toBe(200);
      expect(live.headers['content-type']).toMatch(/^application\/json/);
      expect(live.body).toEqual({ status: 'ok', instance: gateway.instanceId, eventLoop: { maxDelayMs: expect.any(Number), limitMs: LIMIT_MS } });
      expect(live.body.eventLoop.maxDelayMs).toBeLessThan(LIMIT_MS);

      const ready = await request('GET', `${gateway.url}/health/ready`);
      expect(ready.status).toBe(200);
      expect(ready.body).toEqual({ status: 'ready', instance: gateway.instanceId, broker: { kind: 'memory', up: true }, draining: false });

      const health = await request('GET', `${gateway.url}/health`);
      expect(health.status).toBe(200);
      expect(health.body).toEqual({
        status: 'ok',
        instance: gateway.instanceId,
        broker: { kind: 'memory', up: true },
        connections: { open: 0, opened: 0, closed: { client: 0, 'slow-consumer': 0, rebalanced: 0, drained: 0, 'token-expired': 0, error: 0 }, draining: false },
      });
    });

    it('answers live 503 "wedged" after the event loop stalled past the limit, and 200 again once the stall is old', async () => {
      gateway.child.kill('SIGSTOP');
      await sleep(3 * LIMIT_MS);
      gateway.child.kill('SIGCONT');
      await sleep(100); // probes come after the stall, as a probe does that timed out during it

      const stalled = await request('GET', `${gateway.url}/health/live`);
      expect(stalled.status).toBe(503);
      expect(stalled.body).toEqual({ status: 'wedged', instance: gateway.instanceId, eventLoop: { maxDelayMs: expect.any(Number), limitMs: LIMIT_MS } });
      expect(stalled.body.eventLoop.maxDelayMs).toBeGreaterThanOrEqual(2 * LIMIT_MS);
      // Readiness speaks of the broker and the drain, not of the loop.
      expect((await request('GET', `${gateway.url}/health/ready`)).status).toBe(200);

      // Remembered for one to two windows of the limit, then forgotten.
      const started = Date.now();
      await eventually(async () => (await request('GET', `${gateway.url}/health/live`)).status === 200, 4 * LIMIT_MS, 'live 200 again');
      expect(Date.now() - started).toBeLessThanOrEqual(2 * LIMIT_MS + 300);
    });

    it('answers ready 503 "draining" to a request that reaches it during the drain on SIGTERM, live 200, then exits 0', async () => {
      const ready = await holdRequest(gateway.port, '/health/ready');
      const live = await holdRequest(gateway.port, '/health/live');
      const health = await holdRequest(gateway.port, '/health');
      await sleep(300); // the gateway has read the three heads (a connection it has not read from counts as idle and is closed)
      gateway.child.kill('SIGTERM');
      // The listener closes once the drain has begun; requests already in flight are still answered.
      await eventually(() => refusesConnections(gateway.port), 5000, 'listener closed');

      expect(await ready.finish()).toEqual({
        status: 503,
        body: { status: 'unavailable', instance: gateway.instanceId, broker: { kind: 'memory', up: true }, draining: true },
      });
      // Draining is not dying: an orchestrator must not restart it meanwhile.
      expect(await live.finish()).toMatchObject({ status: 200, body: { status: 'ok' } });
      expect(await health.finish()).toMatchObject({ status: 503, body: { status: 'unavailable', connections: { draining: true } } });
      expect(await gateway.exited).toBe(0);
    });
  });

  describe('with Redis', () => {
    let redis: RedisServer;
    let gateway: GatewayProcess;
    beforeAll(async () => {
      redis = await startRedis();
      gateway = await startGatewayProcess({
        REDIS_URL: redis.url,
        SSE_KEY_PREFIX: `health-${Date.now()}:`,
        SSE_PUBLISH_TIMEOUT_MS: '500',
        SSE_LIVENESS_MAX_DELAY_MS: String(LIMIT_MS),
      });
    });
    afterAll(async () => {
      await gateway?.kill();
      redis?.resume();
      await redis?.stop();
    });

    it('answers ready 503 while Redis is stopped and 200 once it is back; live stays 200 throughout', async () => {
      const before = await request('GET', `${gateway.url}/health/ready`);
      expect(before.status).toBe(200);
      expect(before.body).toEqual({ status: 'ready', instance: gateway.instanceId, broker: { kind: 'redis', up: true }, draining: false });

      await redis.kill();
      try {
        const ready = await request('GET', `${gateway.url}/health/ready`);
        expect(ready.status).toBe(503);
        expect(ready.body).toEqual({ status: 'unavailable', instance: gateway.instanceId, broker: { kind: 'redis', up: false }, draining: false });
        expect((await request('GET', `${gateway.url}/health`)).status).toBe(503);
        for (let i = 0; i < 3; i++) {
          const live = await request('GET', `${gateway.url}/health/live`);
          expect(live.status).toBe(200);
          expect(live.body).toMatchObject({ status: 'ok', instance: gateway.instanceId });
          await sleep(200);
        }
      } finally {
        await redis.restart();
      }
      await eventually(async () => (await request('GET', `${gateway.url}/health/ready`)).status === 200, 15_000, 'ready again');
      expect((await request('GET', `${gateway.url}/health/live`)).status).toBe(200);
    }, 30_000);

    it('answers live at once while Redis hangs, when ready has to wait for the command timeout', async () => {
      redis.pause();
      try {
        let started = Date.now();
        const ready = await request('GET', `${gateway.url}/health/ready`);
        const readyMs = Date.now() - started;
        started = Date.now();
        const live = await request('GET', `${gateway.url}/health/live`);
        const liveMs = Date.now() - started;
        expect(ready.status).toBe(503);
        expect(readyMs).toBeGreaterThanOrEqual(450);
        expect(live.status).toBe(200);
        expect(liveMs).toBeLessThan(250);
      } finally {
        redis.resume();
      }
      await eventually(async () => (await request('GET', `${gateway.url}/health/ready`)).status === 200, 15_000, 'ready again');
    }, 30_000);
  });
});
