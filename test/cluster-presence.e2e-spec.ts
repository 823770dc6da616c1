import { Controller, Module, Sse, type INestApplication, type MessageEvent } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import type { Observable } from 'rxjs';
import { Redis } from 'ioredis';
import path from 'node:path';
import { SseHub, SseModule } from '../src/sse/index.js';
import { startGatewayProcess, type GatewayProcess } from './support/gateway-process.js';
import { startNginx, type Nginx } from './support/nginx.js';
import { eventually, sleep } from './support/ports.js';
import { ReconnectingClient } from './support/reconnecting-client.js';
import { startRedis, type RedisServer } from './support/redis-server.js';
import { post, request } from './support/sse-client.js';

interface ClusterView {
  instances: { id: string; connections: number }[];
  shedByThisInstance: number;
  rebalancing: { state: string; pausedUntil: number | null; backoffs: number };
}

const PUBLISHER = path.resolve('test/fixtures/publish-only.app.mjs');
const INTERVAL_MS = 200;

// Who counts in the cluster mean, and what an instance does when shedding has no effect:
// real redis-server, gateway processes, a publish-only Nest application, nginx.
describe('presence: only instances that serve streams count', () => {
  let redis: RedisServer;
  const processes: GatewayProcess[] = [];
  let clients: ReconnectingClient[] = [];
  let nginx: Nginx | undefined;

  const env = (prefix: string) => ({
    REDIS_URL: redis.url,
    SSE_KEY_PREFIX: prefix,
    SSE_RETRY_MS: '300',
    SSE_PRESENCE_INTERVAL_MS: String(INTERVAL_MS),
    SSE_REBALANCE_RATIO: '1.25',
    SSE_REBALANCE_RATE: '25',
  });
  const start = async (prefix: string, extra: Record<string, string> = {}, entry?: string) => {
    const started = await startGatewayProcess({ ...env(prefix), ...extra }, { entry });
    processes.push(started);
    return started;
  };
  const view = async (gateway: GatewayProcess) => (await request<ClusterView>('GET', `${gateway.url}/cluster`)).body;
  const members = async (prefix: string) => {
    const client = new Redis(redis.port, '127.0.0.1');
    try {
      return (await client.zrange(`${prefix}{presence}:members`, '0', '-1')).sort();
    } finally {
      client.disconnect();
    }
  };

  beforeAll(async () => {
    redis = await startRedis();
  });
  afterEach(async () => {
    await Promise.all(clients.map((c) => c.stop()));
    clients = [];
    await nginx?.stop();
    nginx = undefined;
    await Promise.all(processes.splice(0).map((p) => p.kill()));
  });
  afterAll(() => redis?.stop());

  it('a publish-only application beside three gateways causes no shedding', async () => {
    const prefix = 'p1:';
    const gateways = await Promise.all([start(prefix), start(prefix), start(prefix)]);
    // 10 streams on each gateway: even. Counting a publisher's 0, the mean would be 7.5 and
    // each gateway's 10 more than 1.25 x 7.5: they would shed, for ever.
    clients = gateways.flatMap((g) => Array.from({ length: 10 }, () => new ReconnectingClient(`${g.url}/channels/spread/events`, { retryMs: 300 }).start()));
    // Open and live: each has its starting position; and the presence says 10, 10, 10.
    await eventually(() => clients.every((c) => c.instance && c.lastEventId), 15_000, 'every stream open');
    const even = gateways.map((g) => [g.instanceId, 10]).sort();
    await eventually(async () => (await Promise.all(gateways.map(view))).every((v) => JSON.stringify(v.instances.map((i) => [i.id, i.connections])) === JSON.stringify(even)), 10_000, '10 streams on each');
    // (While the streams were being opened, a gateway ahead of the others may have moved some.)
    const shedBefore = await Promise.all(gateways.map(async (g) => (await view(g)).shedByThisInstance));
    const connectionsBefore = clients.map((c) => c.connections);

    const publisher = await start(prefix, { INSTANCE_ID: 'publisher' }, PUBLISHER);
    const published = await post<{ ids: string[] }>(`${publisher.url}/publish/spread?n=3`, {});
    expect(published.status).toBe(201);
    await eventually(() => clients.every((c) => c.events.length === 3), 5000, 'the publisher reaches every stream');

    // Many presence intervals with the publisher up: nothing moves.
    await sleep(15 * INTERVAL_MS);
    for (const gateway of gateways) expect((await view(gateway)).instances.map((i) => [i.id, i.connections])).toEqual(even);
    expect(await Promise.all(gateways.map(async (g) => (await view(g)).shedByThisInstance))).toEqual(shedBefore);
    expect(clients.map((c) => c.connections)).toEqual(connectionsBefore);
    expect(await members(prefix)).toEqual(gateways.map((g) => g.instanceId).sort());
    expect(publisher.output()).not.toMatch(/Rebalancer/);
    expect(clients.map((c) => c.ids())).toEqual(clients.map(() => published.body.ids));
  }, 60_000);

  it('backs off, with growing pauses and one log line each, when the shed clients come back', async () => {
    const prefix = 'p2:';
    // The balancer knows only the first gateway; the second is up (it counts in the mean),
    // but no client can reach it: every stream the first one sheds comes back to it.
    const [reachable, unreachable] = await Promise.all([start(prefix), start(prefix)]);
    nginx = await startNginx({ upstreams: [`127.0.0.1:${reachable.port}`] });
    clients = Array.from({ length: 10 }, () => new ReconnectingClient(`${nginx!.url}/channels/bounce/events`, { retryMs: 300 }).start());
    await eventually(() => clients.every((c) => c.instance === reachable.instanceId), 15_000, 'all 10 on the reachable gateway');

    const backoffLines = () => reachable.output().split('\n').filter((line) => line.includes('shedding has no effect'));
    await eventually(() => backoffLines().length >= 1, 15_000, 'a first back-off');
    const firstAt = Date.now();
    const paused = await view(reachable);
    expect(paused.rebalancing).toMatchObject({ state: 'paused', backoffs: 1 });
    // While paused, nothing is shed.
    await sleep(2000);
    expect((await view(reachable)).shedByThisInstance).toBe(paused.shedByThisInstance);

    await eventually(() => backoffLines().length >= 2, 20_000, 'a second back-off');
    const secondAfterMs = Date.now() - firstAt;
    const [first, second] = backoffLines();
    // settleMs = 1.2 s of reconnect delay + one interval; the first pause is 2 x settle, then doubled.
    expect(first).toContain('pausing rebalancing for 2.8 s (back-off 1 in a row)');
    expect(second).toContain('pausing rebalancing for 5.6 s (back-off 2 in a row)');
    expect(first).toMatch(/of \d+ streams moved away, 0 stayed away/);
    expect(secondAfterMs).toBeGreaterThanOrEqual(2800);
    expect((await view(reachable)).rebalancing).toMatchObject({ state: 'paused', backoffs: 2 });

    // Shedding announced once per episode, not once per round of clients coming back.
    const announced = reachable.output().split('\n').filter((line) => line.includes('moving the excess')).length;
    expect(announced).toBeLessThanOrEqual(backoffLines().length + 1);
    // The idle gateway never shed, and nobody lost a stream for good.
    expect((await view(unreachable)).shedByThisInstance).toBe(0);
    await eventually(() => clients.every((c) => c.instance === reachable.instanceId), 5000, 'every client back');
    process.stdout.write(`  back-offs after ${paused.shedByThisInstance} and ${(await view(reachable)).shedByThisInstance} shed streams; ${announced} announcements\n`);
  }, 60_000);

  it("counts an application from its first stream: its own @Sse() route, without the module's HTTP API", async () => {
    const prefix = 'p3:';
    const gateway = await start(prefix);

    @Controller('feed')
    class FeedController {
      constructor(private readonly hub: SseHub) {}

      @Sse()
      feed(): Observable<MessageEvent> {
        return this.hub.channel('feed').stream();
      }
    }
    @Module({ controllers: [FeedController] })
    class FeedModule {}

    const moduleRef = await Test.createTestingModule({
      imports: [SseModule.forRoot({ redis: redis.url, keyPrefix: prefix, instanceId: 'own-routes', presenceIntervalMs: INTERVAL_MS }), FeedModule],
    }).compile();
    const app: INestApplication = moduleRef.createNestApplication({ logger: ['error'] });
    await app.listen(0, '127.0.0.1');
    const url = await app.getUrl();
    try {
      await sleep(5 * INTERVAL_MS);
      expect((await view(gateway)).instances.map((i) => i.id)).toEqual([gateway.instanceId]);

      const stream = new ReconnectingClient(`${url.replace('[::1]', '127.0.0.1')}/feed`).start();
      clients.push(stream);
      await eventually(() => stream.instance === 'own-routes', 5000, 'the own route serves a stream');
      const seen = await eventually(async () => {
        const instances = (await view(gateway)).instances;
        return instances.length === 2 ? instances : null;
      }, 5000, 'the application in presence');
      expect(seen.map((i) => [i.id, i.connections])).toEqual([[gateway.instanceId, 0], ['own-routes', 1]].sort());
    } finally {
      await Promise.all(clients.splice(0).map((c) => c.stop()));
      await app.close();
    }
    // Gone from presence at once on a clean shutdown.
    expect(await members(prefix)).toEqual([gateway.instanceId]);
  }, 60_000);
});
