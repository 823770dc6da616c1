import { startGatewayProcess, type GatewayProcess } from './support/gateway-process.js';
import { startNginx, type Nginx } from './support/nginx.js';
import { eventually, sleep } from './support/ports.js';
import { ReconnectingClient, RetryingPublisher } from './support/reconnecting-client.js';
import { startRedis, type RedisServer } from './support/redis-server.js';
import { request } from './support/sse-client.js';

// Three real gateway processes behind the repository's nginx configuration, one real Redis
// that persists every write (so a restart loses nothing that was acknowledged). Clients
// behave as browsers' EventSource. Every scenario ends with each client holding every
// accepted event exactly once, in order.
describe('cluster failover through nginx', () => {
  const DRAIN_MS = 2000;
  let redis: RedisServer;
  let nginx: Nginx;
  const gateways: GatewayProcess[] = [];
  let clients: ReconnectingClient[] = [];

  const env = () => ({
    REDIS_URL: redis.url,
    SSE_KEY_PREFIX: 'failover:',
    SSE_RETRY_MS: '300',
    SSE_HEARTBEAT_MS: '1000',
    SSE_DRAIN_MS: String(DRAIN_MS),
    SSE_PUBLISH_TIMEOUT_MS: '1000',
    SSE_REBALANCE_RATIO: '0',
  });

  const startInstance = async (port?: number) => startGatewayProcess(env(), { port });

  const connectClients = async (channel: string, count: number) => {
    clients = Array.from({ length: count }, () => new ReconnectingClient(`${nginx.url}/channels/${channel}/events`, { retryMs: 300 }).start());
    await eventually(() => clients.every((c) => c.instance && c.lastEventId), 10_000, 'every client connected');
  };

  /** Publishes `count` events one after another (about `perSecond`), calling `during` half-way. */
  const publishAround = async (channel: string, count: number, during: () => Promise<void>) => {
    const publisher = new RetryingPublisher(nginx.url, channel);
    let disruption: Promise<void> | undefined;
    for (let i = 0; i < count; i++) {
      if (i === Math.floor(count / 3)) disruption = during();
      await publisher.publish({ i }, `${channel}-${i}`);
      await sleep(10);
    }
    await disruption;
    return publisher;
  };

  /** Every client ends with exactly the accepted ids, in order: nothing lost, nothing twice. */
  const expectExactlyOnce = async (accepted: string[]) => {
    await eventually(() => clients.every((c) => c.events.length >= accepted.length), 20_000, 'every client caught up');
    await sleep(300);
    const outcome = clients.map((c) => {
      const ids = c.ids();
      const lost = accepted.filter((id) => !ids.includes(id)).length;
      return { lost, repeated: ids.length - new Set(ids).size, inOrder: JSON.stringify(ids) === JSON.stringify(accepted) };
    });
    const totals = outcome.reduce((t, o) => ({ lost: t.lost + o.lost, repeated: t.repeated + o.repeated, outOfOrder: t.outOfOrder + (o.inOrder ? 0 : 1) }), { lost: 0, repeated: 0, outOfOrder: 0 });
    process.stdout.write(`  ${clients.length} clients x ${accepted.length} events: ${JSON.stringify(totals)}\n`);
    expect(totals).toEqual({ lost: 0, repeated: 0, outOfOrder: 0 });
  };

  const busiest = () => {
    const counts = new Map<string, number>();
    for (const c of clients) if (c.instance) counts.set(c.instance, (counts.get(c.instance) ?? 0) + 1);
    const [id] = [...counts].sort((a, b) => b[1] - a[1])[0]!;
    return gateways.find((g) => g.instanceId === id)!;
  };

  beforeAll(async () => {
    redis = await startRedis({ args: ['--appendonly', 'yes', '--appendfsync', 'always'] });
    for (let i = 0; i < 3; i++) gateways.push(await startInstance());
    nginx = await startNginx({ upstreams: gateways.map((g) => `127.0.0.1:${g.port}`) });
  }, 60_000);

  afterEach(async () => {
    await Promise.all(clients.map((c) => c.stop()));
    clients = [];
  });

  afterAll(async () => {
    await nginx?.stop();
    await Promise.all(gateways.map((g) => g.kill()));
    await redis?.stop();
  });

  it('loses nothing when an instance is killed with SIGKILL', async () => {
    await connectClients('kill', 30);
    const victim = busiest();
    const victims = clients.filter((c) => c.instance === victim.instanceId).length;
    const publisher = await publishAround('kill', 150, async () => {
      await victim.kill();
    });
    expect(victims).toBeGreaterThan(0);
    await expectExactlyOnce(publisher.accepted);
    // The victim's clients moved to the survivors.
    expect(clients.every((c) => c.instances.at(-1) !== victim.instanceId)).toBe(true);
    gateways[gateways.indexOf(victim)] = await startInstance(victim.port);
  }, 90_000);

  it('drains on SIGTERM: jittered retry for each client, exit within SSE_DRAIN_MS, nothing lost', async () => {
    await connectClients('drain', 30);
    const victim = busiest();
    const moved = clients.filter((c) => c.instance === victim.instanceId);
    let exit: number | string = -1;
    let tookMs = 0;
    const publisher = await publishAround('drain', 150, async () => {
      const started = Date.now();
      exit = await victim.stop(DRAIN_MS + 3000);
      tookMs = Date.now() - started;
    });
    expect(exit).toBe(0);
    expect(tookMs).toBeLessThan(DRAIN_MS + 1000);
    // Each drained client was told its own moment to come back, within the drain window.
    const told = moved.map((c) => c.retriesAtEnd[0]!);
    expect(told.length).toBeGreaterThan(3);
    expect(new Set(told).size).toBeGreaterThan(told.length / 2);
    expect(told.every((ms) => ms >= 0 && ms < DRAIN_MS)).toBe(true);
    await expectExactlyOnce(publisher.accepted);
    gateways[gateways.indexOf(victim)] = await startInstance(victim.port);
  }, 90_000);

  it('loses nothing accepted when Redis restarts mid-stream, and refuses publishes meanwhile with 503', async () => {
    await connectClients('redis-restart', 30);
    const publisher = await publishAround('redis-restart', 150, async () => {
      await redis.kill();
      await sleep(1500);
      await redis.restart();
    });
    expect(publisher.failures).toContain(503);
    await expectExactlyOnce(publisher.accepted);
    const health = await Promise.all(gateways.map((g) => request('GET', `${g.url}/health`)));
    expect(health.map((h) => h.status)).toEqual([200, 200, 200]);
  }, 90_000);
});
