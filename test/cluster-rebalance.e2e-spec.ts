import { startGatewayProcess, type GatewayProcess } from './support/gateway-process.js';
import { startNginx, type Nginx } from './support/nginx.js';
import { eventually, sleep } from './support/ports.js';
import { ReconnectingClient, RetryingPublisher } from './support/reconnecting-client.js';
import { startRedis, type RedisServer } from './support/redis-server.js';
import { request } from './support/sse-client.js';

interface ClusterView {
  instances: { id: string; connections: number; self: boolean }[];
  total: number;
}

// 300 clients on two instances; a third joins. Within 30 s the spread is even (largest at
// most 1.5 x smallest) and no client lost or repeated an event during the move.
describe('rebalancing long-lived streams', () => {
  let redis: RedisServer;
  let nginx: Nginx;
  const gateways: GatewayProcess[] = [];
  let clients: ReconnectingClient[] = [];

  const env = () => ({
    REDIS_URL: redis.url,
    SSE_KEY_PREFIX: 'rebalance:',
    SSE_RETRY_MS: '500',
    SSE_REBALANCE_RATIO: '1.25',
    SSE_REBALANCE_RATE: '20',
    SSE_PRESENCE_INTERVAL_MS: '500',
  });

  beforeAll(async () => {
    redis = await startRedis();
    gateways.push(await startGatewayProcess(env()), await startGatewayProcess(env()));
    nginx = await startNginx({ upstreams: gateways.map((g) => `127.0.0.1:${g.port}`) });
  }, 60_000);

  afterAll(async () => {
    await Promise.all(clients.map((c) => c.stop()));
    await nginx?.stop();
    await Promise.all(gateways.map((g) => g.kill()));
    await redis?.stop();
  });

  const view = async (gateway: GatewayProcess) => (await request<ClusterView>('GET', `${gateway.url}/cluster`)).body;
  const counts = async () => Object.fromEntries((await view(gateways[0]!)).instances.map((i) => [i.id, i.connections]));

  it('spreads 300 streams evenly after a third instance joins, losing nothing', async () => {
    clients = Array.from({ length: 300 }, () => new ReconnectingClient(`${nginx.url}/channels/spread/events`, { retryMs: 500 }).start());
    await eventually(() => clients.every((c) => c.instance && c.lastEventId), 20_000, 'all 300 connected');
    await eventually(async () => (await view(gateways[0]!)).total === 300, 5000, 'presence shows 300');
    const before = await counts();

    const third = await startGatewayProcess(env());
    gateways.push(third);
    await nginx.reload(gateways.map((g) => `127.0.0.1:${g.port}`));

    const publisher = new RetryingPublisher(nginx.url, 'spread');
    let publishing = true;
    let sent = 0;
    const publishing$ = (async () => {
      while (publishing) {
        await publisher.publish({ n: sent }, `spread-${sent}`);
        sent++;
        await sleep(50);
      }
    })();

    const started = Date.now();
    const after = await eventually(
      async () => {
        const now = await counts();
        const values = Object.values(now);
        const settled = values.length === 3 && values.reduce((a, b) => a + b, 0) === 300 && Math.max(...values) <= 1.5 * Math.min(...values);
        return settled ? now : null;
      },
      30_000,
      'largest instance at most 1.5 x the smallest',
    );
    const tookMs = Date.now() - started;
    publishing = false;
    await publishing$;
    process.stdout.write(`  spread before ${JSON.stringify(before)}, after ${JSON.stringify(after)} in ${tookMs} ms; ${sent} events published meanwhile\n`);

    expect(Object.keys(before)).toHaveLength(2);
    expect(after[third.instanceId]).toBeGreaterThan(0);
    const accepted = publisher.accepted;
    expect(accepted.length).toBeGreaterThan(5);
    await eventually(() => clients.every((c) => c.events.length >= accepted.length), 20_000, 'every client caught up');
    const lost = clients.reduce((sum, c) => sum + accepted.filter((id) => !c.ids().includes(id)).length, 0);
    const repeated = clients.reduce((sum, c) => sum + c.ids().length - new Set(c.ids()).size, 0);
    const outOfOrder = clients.filter((c) => JSON.stringify(c.ids()) !== JSON.stringify(accepted)).length;
    const moved = clients.filter((c) => c.connections > 1).length;
    process.stdout.write(`  ${moved} clients moved; lost ${lost}, repeated ${repeated}, out of order ${outOfOrder}\n`);
    for (const client of clients.filter((c) => JSON.stringify(c.ids()) !== JSON.stringify(accepted)).slice(0, 3)) {
      const ids = client.ids();
      const at = ids.findIndex((id, i) => id !== accepted[i]);
      const around = client.events.slice(Math.max(0, at - 2), at + 3).map((e) => `${e.type}:${e.lastEventId}:${e.data.slice(0, 60)}`);
      process.stdout.write(`  first difference at ${at}: expected ${accepted.slice(Math.max(0, at - 2), at + 3).join(' ')}\n    got ${around.join(' | ')}\n    instances ${client.instances.join(' ')}\n`);
    }
    expect({ lost, repeated, outOfOrder }).toEqual({ lost: 0, repeated: 0, outOfOrder: 0 });
    expect(moved).toBeGreaterThanOrEqual(60);
  }, 120_000);
});
