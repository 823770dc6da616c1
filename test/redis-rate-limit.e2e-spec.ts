import { RedisRateLimitStore } from '../src/sse/limits/redis-rate-limit.store.js';
import { rateLimitStoreContract } from '../src/sse/limits/testing/rate-limit-store.contract.js';
import { startGateway, type TestGateway } from './support/gateway-app.js';
import { startRedis, type RedisServer } from './support/redis-server.js';
import { post } from './support/sse-client.js';
import { signToken, TEST_SECRET } from './support/tokens.js';

// Rate limit counters in a real redis-server: the store contract, one budget across a
// cluster, and failing open while Redis is away.

let redis: RedisServer;
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(() => redis?.stop());

rateLimitStoreContract('RedisRateLimitStore', async () => {
  const store = new RedisRateLimitStore({ url: redis.url, keyPrefix: `rl-contract-${Date.now()}:` });
  await store.onModuleInit();
  return { store, close: () => store.onApplicationShutdown() };
});

describe('publish rate limit on two instances sharing Redis', () => {
  let a: TestGateway;
  let b: TestGateway;
  beforeAll(async () => {
    const env = {
      REDIS_URL: redis.url,
      SSE_KEY_PREFIX: `rl-e2e-${Date.now()}:`,
      SSE_JWT_SECRET: TEST_SECRET,
      SSE_PUBLISH_RATE_LIMIT: '3',
      SSE_PUBLISH_RATE_WINDOW_MS: '60000',
      SSE_PUBLISH_TIMEOUT_MS: '1000',
    };
    a = await startGateway({ ...env, INSTANCE_ID: 'rl-a' });
    b = await startGateway({ ...env, INSTANCE_ID: 'rl-b' });
  });
  afterAll(() => Promise.all([a?.close(), b?.close()]));

  it('counts one budget per subject across the cluster', async () => {
    const token = await signToken({ sse: { publish: ['**'] } }, { sub: `cluster-${Date.now()}` });
    const publish = (gateway: TestGateway) =>
      post(`${gateway.url}/channels/rl/events`, { data: 1 }, { authorization: `Bearer ${token}` }).then((r) => r.status);
    expect([await publish(a), await publish(b), await publish(a), await publish(b), await publish(a)]).toEqual([201, 201, 201, 429, 429]);
  });
});

describe('RedisRateLimitStore while Redis is away', () => {
  it('lets requests through (fails open), quickly', async () => {
    const gone = await startRedis();
    const store = new RedisRateLimitStore({ url: gone.url, keyPrefix: 'rl-gone:', timeoutMs: 200 });
    try {
      await store.onModuleInit();
      expect((await store.hit('k', 60_000)).count).toBe(1);
      await gone.kill();
      const started = Date.now();
      const hits = await Promise.all(Array.from({ length: 20 }, () => store.hit('k', 60_000)));
      expect(hits.every((h) => h.count === 0)).toBe(true);
      expect(Date.now() - started).toBeLessThan(1500);
    } finally {
      await store.onApplicationShutdown();
      await gone.stop();
    }
  });
});
