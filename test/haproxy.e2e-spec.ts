import { startGatewayProcess, type GatewayProcess } from './support/gateway-process.js';
import { startHaproxy, type Haproxy } from './support/haproxy.js';
import { eventually, sleep } from './support/ports.js';
import { ReconnectingClient, RetryingPublisher } from './support/reconnecting-client.js';
import { startRedis, type RedisServer } from './support/redis-server.js';

// The shipped HAProxy configuration in front of two gateway processes: streams pass
// unbuffered, and when an instance dies its clients resume on the other with nothing lost.
describe('through HAProxy', () => {
  let redis: RedisServer;
  let haproxy: Haproxy;
  const gateways: GatewayProcess[] = [];
  const clients: ReconnectingClient[] = [];

  beforeAll(async () => {
    redis = await startRedis();
    const env = { REDIS_URL: redis.url, SSE_KEY_PREFIX: 'haproxy:', SSE_RETRY_MS: '300', SSE_REBALANCE_RATIO: '0' };
    gateways.push(await startGatewayProcess(env), await startGatewayProcess(env));
    haproxy = await startHaproxy(gateways.map((g) => `127.0.0.1:${g.port}`));
  }, 60_000);

  afterAll(async () => {
    await Promise.all(clients.map((c) => c.stop()));
    await haproxy?.stop();
    await Promise.all(gateways.map((g) => g.kill()));
    await redis?.stop();
  });

  it('spreads streams over both instances and loses nothing when one is killed', async () => {
    for (let i = 0; i < 10; i++) clients.push(new ReconnectingClient(`${haproxy.url}/channels/ha/events`, { retryMs: 300 }).start());
    await eventually(() => clients.every((c) => c.instance && c.lastEventId), 10_000, 'clients connected');
    const placed = new Set(clients.map((c) => c.instance));
    expect(placed.size).toBe(2);

    const publisher = new RetryingPublisher(haproxy.url, 'ha');
    for (let i = 0; i < 60; i++) {
      if (i === 20) await gateways[0]!.kill();
      await publisher.publish(i, `ha-${i}`);
      await sleep(10);
    }
    const accepted = publisher.accepted;
    await eventually(() => clients.every((c) => c.events.length >= accepted.length), 20_000, 'clients caught up');
    for (const client of clients) expect(client.ids()).toEqual(accepted);
    expect(clients.every((c) => c.instances.at(-1) === gateways[1]!.instanceId)).toBe(true);
  }, 60_000);
});
