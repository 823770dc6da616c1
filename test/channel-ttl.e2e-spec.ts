import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { redisChannelKeys, redisKeySlot } from '../src/sse/broker/redis-keys.util.js';
import { RedisBroker } from '../src/sse/broker/redis.broker.js';
import { brokerLifecycleContract } from '../src/sse/broker/testing/broker.contract.js';
import { StreamPosition } from '../src/sse/position/stream-position.js';
import { startGatewayProcess, type GatewayProcess } from './support/gateway-process.js';
import { eventually, sleep } from './support/ports.js';
import { quietLogger, redisBrokers } from './support/redis-brokers.js';
import { startRedisCluster, type RedisCluster } from './support/redis-cluster.js';
import { startRedis, type RedisServer } from './support/redis-server.js';
import { openStream, post, request, type TestStream } from './support/sse-client.js';

// The channel lifecycle (SSE_CHANNEL_TTL) with real processes: redis-server, and built
// gateways (dist/main.js) with a TTL of one second. What expires is read straight from
// Redis with a client of its own (EXISTS and PTTL, which neither read nor touch a channel
// through the gateway's scripts).

let redis: RedisServer;
let raw: Redis;
beforeAll(async () => {
  redis = await startRedis();
  raw = new Redis(redis.url);
});
afterAll(async () => {
  raw?.disconnect();
  await redis?.stop();
});

const { unique } = redisBrokers(() => redis.url, 'ttl');

brokerLifecycleContract('RedisBroker', {
  create: async (historyLimit, channelTtlMs) => {
    const broker = new RedisBroker({ url: redis.url, historyLimit, channelTtlMs, keyPrefix: `${unique()}:`, logger: quietLogger });
    await broker.connect();
    return broker;
  },
  ttlMs: 600,
});

/** The four keys of a channel (the live pub/sub channel is no key). */
function channelKeys(prefix: string, channel: string): string[] {
  const keys = redisChannelKeys(prefix, channel);
  return [keys.stream, keys.meta, keys.idem, keys.idemq];
}

/** How many of `keys` exist. */
const existing = (keys: string[]) => raw.exists(...keys);

describe('RedisBroker keys and the TTL setting', () => {
  it('sets no expiry without a TTL, and a publish without one takes back the expiry an earlier setting left', async () => {
    const prefix = `${unique()}:`;
    const keys = channelKeys(prefix, 'orders');
    const withTtl = new RedisBroker({ url: redis.url, historyLimit: 10, channelTtlMs: 60_000, keyPrefix: prefix, logger: quietLogger });
    const without = new RedisBroker({ url: redis.url, historyLimit: 10, keyPrefix: prefix, logger: quietLogger });
    try {
      await Promise.all([withTtl.connect(), without.connect()]);
      await withTtl.publish('orders', { data: '1', idempotencyKey: 'k' });
      const ttls = await Promise.all(keys.map((key) => raw.pttl(key)));
      for (const ttl of ttls) expect(ttl).toBeGreaterThan(59_000);
      await without.publish('orders', { data: '2', idempotencyKey: 'k2' });
      expect(await Promise.all(keys.map((key) => raw.pttl(key)))).toEqual([-1, -1, -1, -1]);
    } finally {
      await Promise.all([withTtl.close(), without.close()]);
    }
  });
});

describe('RedisBroker on a Redis Cluster with a channel TTL', () => {
  let cluster: RedisCluster;
  beforeAll(async () => {
    cluster = await startRedisCluster({ masters: 3 });
  }, 60_000);
  afterAll(async () => {
    await cluster?.stop();
  });

  it('keeps the subscribed channels of every master alive, one slot each, and lets the others go', async () => {
    const ttl = 600;
    const prefix = `${unique()}:`;
    const broker = new RedisBroker({ url: cluster.url, historyLimit: 10, channelTtlMs: ttl, keyPrefix: prefix, logger: quietLogger });
    try {
      await broker.connect();
      const channels = Array.from({ length: 30 }, (_, i) => `room-${i}`);
      const owners = new Set(await Promise.all(channels.map((c) => cluster.ownerOf(redisKeySlot(redisChannelKeys(prefix, c).stream)))));
      expect(owners.size).toBe(3);
      const held = channels.slice(0, 20);
      const first = new Map<string, string>();
      for (const channel of channels) first.set(channel, (await broker.publish(channel, { data: '1' })).position.toString());
      const subscriptions = await Promise.all(held.map((channel) => broker.subscribe(channel, { onEvent() {} })));
      await sleep(3 * ttl);
      for (const channel of channels) {
        const after = StreamPosition.parse(first.get(channel)!)!;
        const page = await broker.history(channel, { after, limit: 10 });
        expect({ channel, reset: page.reset }).toEqual({ channel, reset: held.includes(channel) ? undefined : 'unknown' });
      }
      await Promise.all(subscriptions.map((s) => s.unsubscribe()));
    } finally {
      await broker.close();
    }
  });
});

describe('Channel lifecycle: gateways with SSE_CHANNEL_TTL=1', () => {
  const prefix = `ttl-gw-${randomUUID().slice(0, 8)}:`;
  let a: GatewayProcess;
  let b: GatewayProcess;
  const streams: TestStream[] = [];
  beforeAll(async () => {
    const env = { REDIS_URL: redis.url, SSE_KEY_PREFIX: prefix, SSE_CHANNEL_TTL: '1', SSE_REBALANCE_RATIO: '0' };
    [a, b] = await Promise.all([startGatewayProcess({ ...env, INSTANCE_ID: 'ttl-a' }), startGatewayProcess({ ...env, INSTANCE_ID: 'ttl-b' })]);
  }, 60_000);
  afterEach(() => {
    for (const stream of streams.splice(0)) stream.close();
  });
  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
  });

  const publish = async (gateway: GatewayProcess, channel: string, data: unknown, idempotencyKey?: string): Promise<string> => {
    const answer = await post(`${gateway.url}/channels/${channel}/events`, { data }, idempotencyKey ? { 'idempotency-key': idempotencyKey } : {});
    expect(answer.status).toBe(201);
    return answer.body.id as string;
  };
  const open = async (gateway: GatewayProcess, path: string, headers: Record<string, string> = {}) => {
    const stream = await openStream(`${gateway.url}${path}`, headers);
    streams.push(stream);
    expect(stream.status).toBe(200);
    return stream;
  };
  const epochOf = (id: string) => id.slice(id.indexOf('.') + 1);

  it('a channel published to and left alone is gone from Redis after the TTL, its idempotency keys with it', async () => {
    const keys = channelKeys(prefix, 'left');
    const first = await publish(b, 'left', { n: 1 }, 'key-1');
    const published = Date.now();
    expect((await raw.keys(`${prefix}{left}*`)).sort()).toEqual([...keys].sort());
    for (const key of keys) {
      const ttl = await raw.pttl(key);
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(1000);
    }
    // The same key within the TTL is a duplicate: the first event's id, nothing stored.
    expect(await publish(b, 'left', { n: 2 }, 'key-1')).toBe(first);

    await eventually(async () => (await existing(keys)) === 0, 5_000, 'the channel keys to expire');
    expect(Date.now() - published).toBeGreaterThanOrEqual(900);
    expect(await raw.keys(`${prefix}{left}*`)).toEqual([]);

    // Gone with the channel: the key stores a new event, in a new epoch.
    const again = await publish(b, 'left', { n: 3 }, 'key-1');
    expect(again).not.toBe(first);
    expect(epochOf(again)).not.toBe(epochOf(first));
  });

  it('a channel with a subscriber on one instance stays while subscribed, however quiet, and goes once it is left', async () => {
    const keys = channelKeys(prefix, 'held');
    const stream = await open(a, '/channels/held/events');
    await stream.waitUntil(() => stream.parser.lastEventId !== '');
    const first = await publish(b, 'held', { n: 1 });
    await stream.waitForEvents(1);

    // Four TTLs with nothing published; gateway a keeps the channel alive (b has no subscriber).
    for (let i = 0; i < 20; i++) {
      await sleep(200);
      expect({ at: i, keys: await existing([keys[0]!, keys[1]!]) }).toEqual({ at: i, keys: 2 });
    }
    const second = await publish(b, 'held', { n: 2 });
    expect(epochOf(second)).toBe(epochOf(first));
    const events = await stream.waitForEvents(2);
    expect(events.map((e) => [e.lastEventId, e.data])).toEqual([
      [first, '{"n":1}'],
      [second, '{"n":2}'],
    ]);
    const history = await request('GET', `${b.url}/channels/held/events?after=${first}`, { headers: { accept: 'application/json' } });
    expect(history.body).toMatchObject({ events: [{ id: second, data: { n: 2 } }], head: second });
    expect(history.body.reset).toBeUndefined();

    stream.close();
    await eventually(async () => (await existing(keys)) === 0, 5_000, 'the channel keys to expire after the subscriber left');
  });

  it('a client that comes back with a position of an expired channel gets reset (unknown), then every event of the new stream', async () => {
    const keys = channelKeys(prefix, 'back');
    const old = await publish(b, 'back', { n: 1 });
    await eventually(async () => (await existing(keys)) === 0, 5_000, 'the channel keys to expire');

    // Back before anything new: the reset names the start of the new stream, and the
    // events published then follow live, in that stream's epoch.
    const early = await open(a, '/channels/back/events', { 'last-event-id': old });
    const [reset] = await early.waitForEvents(1);
    expect(reset!.type).toBe('reset');
    const head = reset!.lastEventId;
    expect(head).toMatch(/^0-0\.[0-9a-z]+$/);
    expect(epochOf(head)).not.toBe(epochOf(old));
    expect(JSON.parse(reset!.data)).toEqual({ reason: 'unknown', head });
    const fresh = await publish(b, 'back', { n: 2 });
    expect(epochOf(fresh)).toBe(epochOf(head));
    expect((await early.waitForEvents(2))[1]).toEqual({ type: 'message', data: '{"n":2}', lastEventId: fresh });

    // Back after new events: reset, then the new stream from its start, then live.
    const late = await open(b, '/channels/back/events', { 'last-event-id': old });
    const replayed = await late.waitForEvents(2);
    expect(replayed[0]).toMatchObject({ type: 'reset', lastEventId: head });
    expect(JSON.parse(replayed[0]!.data)).toEqual({ reason: 'unknown', head });
    expect(replayed[1]).toEqual({ type: 'message', data: '{"n":2}', lastEventId: fresh });
    const live = await publish(a, 'back', { n: 3 });
    expect((await late.waitForEvents(3))[2]).toEqual({ type: 'message', data: '{"n":3}', lastEventId: live });

    // History as JSON says the same about the old position.
    const history = await request('GET', `${a.url}/channels/back/events?after=${old}`, { headers: { accept: 'application/json' } });
    expect(history.status).toBe(200);
    expect(history.body).toMatchObject({ events: [], reset: { reason: 'unknown' } });
  });
});
