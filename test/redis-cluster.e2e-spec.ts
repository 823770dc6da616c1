import { Redis } from 'ioredis';
import { RedisBroker, type RedisBrokerOptions } from '../src/sse/broker/redis.broker.js';
import { quietLogger, redisBrokers } from './support/redis-brokers.js';
import { redisChannelKeys, redisKeySlot } from '../src/sse/broker/redis-keys.util.js';
import { brokerContract, recorder, sleep, waitFor } from '../src/sse/broker/testing/broker.contract.js';
import { channelsPerNode, clients as clientsOn, onNode as onNodeOf } from './support/cluster-probes.js';
import { startGateway, type TestGateway } from './support/gateway-app.js';
import { startGatewayProcess } from './support/gateway-process.js';
import { startRedisCluster, type RedisCluster } from './support/redis-cluster.js';
import { eventually } from './support/ports.js';
import { openStream, post, request, type TestStream } from './support/sse-client.js';

// A real three-master Redis Cluster (redis-server processes joined by `redis-cli --cluster create`).
let cluster: RedisCluster;
beforeAll(async () => {
  cluster = await startRedisCluster({ masters: 3 });
}, 60_000);
afterAll(async () => {
  await cluster?.stop();
});

const { unique, open } = redisBrokers(() => cluster.url, 'c');

brokerContract('RedisBroker on a Redis Cluster (sharded pub/sub)', {
  create: async (historyLimit) => {
    const broker = new RedisBroker({ url: cluster.url, historyLimit, keyPrefix: `${unique()}:` });
    await broker.connect();
    return broker;
  },
  trimSlack: 0,
});

brokerContract('RedisBroker on a Redis Cluster (plain pub/sub)', {
  create: async (historyLimit) => {
    const broker = new RedisBroker({ url: cluster.url, historyLimit, keyPrefix: `${unique()}:`, clusterPubSub: 'plain' });
    await broker.connect();
    return broker;
  },
  trimSlack: 0,
});

const onNode = <T>(i: number, work: (node: Redis) => Promise<T>) => onNodeOf(cluster, i, work);
const clients = (i: number, name: string) => clientsOn(cluster, i, name);

describe('RedisBroker on a Redis Cluster', () => {
  it('keeps every key and the shard channel of a channel in one hash slot', async () => {
    const keys = redisChannelKeys('sse:', 'orders.eu-1');
    const slots = await onNode(0, (n) => Promise.all(Object.values(keys).map((k) => n.cluster('KEYSLOT', k))));
    expect(new Set(slots)).toEqual(new Set([redisKeySlot(keys.stream)]));
  });

  it('stores each channel on the master owning its slot and carries publishes from one instance to another', async () => {
    const keyPrefix = `${unique()}:`;
    const a = await open({ keyPrefix });
    const b = await open({ keyPrefix });
    const byNode = await channelsPerNode(cluster, keyPrefix, 2);
    for (const [owner, channels] of byNode.entries()) {
      for (const channel of channels) {
        const seen = recorder();
        await b.subscribe(channel, seen);
        const sent = await a.publish(channel, { event: 'e', data: JSON.stringify({ channel }) });
        await waitFor(() => seen.events.length === 1);
        expect(seen.events[0]).toMatchObject({ event: 'e', data: JSON.stringify({ channel }) });
        expect(seen.events[0]!.position.equals(sent.position)).toBe(true);
        expect((await b.history(channel, { limit: 10 })).events.map((e) => e.position.toString())).toEqual([sent.position.toString()]);
        const stream = redisChannelKeys(keyPrefix, channel).stream;
        expect(await Promise.all(cluster.nodes.map((_, i) => onNode(i, (n) => n.exists(stream).catch(() => -1))))).toEqual(
          cluster.nodes.map((_, i) => (i === owner ? 1 : -1)), // -1: any other node answers MOVED
        );
      }
    }
  });

  it('opens at most one subscriber connection per master, however many channels', async () => {
    const name = unique();
    const keyPrefix = `${unique()}:`;
    const broker = await open({ connectionName: name, keyPrefix });
    const byNode = await channelsPerNode(cluster, keyPrefix, 20);
    const subs = await Promise.all(byNode.flat().flatMap((channel) => [0, 1].map(() => broker.subscribe(channel, { onEvent: () => undefined }))));
    expect([...broker.subscriberConnections().values()]).toEqual([20, 20, 20]);
    for (const i of cluster.nodes.keys()) {
      // And one command connection per master: 2 per master in all, for 60 channels.
      expect(await clients(i, `${name}:cmd`)).toHaveLength(1);
      const subscribers = await clients(i, `${name}:sub`);
      expect(subscribers).toHaveLength(1);
      // Shard channels are not counted in `sub` (plain channels): SSUBSCRIBE was used.
      expect(subscribers[0]).toMatchObject({ sub: '0', psub: '0' });
    }
    await Promise.all(subs.map((s) => s.unsubscribe()));
    expect([...broker.subscriberConnections().values()]).toEqual([0, 0, 0]);
  });

  it('fans out with SPUBLISH to shard channels on the owning master only', async () => {
    const keyPrefix = `${unique()}:`;
    const broker = await open({ keyPrefix });
    const [[channel]] = (await channelsPerNode(cluster, keyPrefix, 1)).slice(1);
    const live = redisChannelKeys(keyPrefix, channel!).live;
    const sub = await broker.subscribe(channel!, { onEvent: () => undefined });
    expect(await onNode(1, (n) => n.call('PUBSUB', 'SHARDCHANNELS', `${keyPrefix}*`))).toEqual([live]);
    for (const i of [0, 2]) expect(await onNode(i, (n) => n.call('PUBSUB', 'SHARDCHANNELS', `${keyPrefix}*`))).toEqual([]);
    for (const i of cluster.nodes.keys()) expect(await onNode(i, (n) => n.call('PUBSUB', 'CHANNELS', `${keyPrefix}*`))).toEqual([]);
    // A plain SUBSCRIBE to the same name hears nothing: the script uses SPUBLISH, not PUBLISH.
    const plain = new Redis(cluster.nodes[1]!.port, '127.0.0.1');
    const heard: string[] = [];
    plain.on('message', (_: string, message: string) => heard.push(message));
    await plain.subscribe(live);
    await broker.publish(channel!, { data: '1' });
    await sleep(100);
    plain.disconnect();
    expect(heard).toEqual([]);
    await sub.unsubscribe();
    expect(await onNode(1, (n) => n.call('PUBSUB', 'SHARDCHANNELS', `${keyPrefix}*`))).toEqual([]);
  });

  it('parses REDIS_CLUSTER_NODES-style seed lists too (one seed is enough)', async () => {
    const broker = await open({ url: `redis+cluster://127.0.0.1:${cluster.nodes[2]!.port}` });
    const seen = recorder();
    await broker.subscribe('seed', seen);
    const { position } = await broker.publish('seed', { data: '1' });
    await waitFor(() => seen.events.length === 1);
    expect(seen.events[0]!.position.equals(position)).toBe(true);
  });
});

describe('two gateway instances on one Redis Cluster', () => {
  let a: TestGateway;
  let b: TestGateway;
  const streams: TestStream[] = [];
  beforeAll(async () => {
    const prefix = `gw-${unique()}:`;
    a = await startGateway({ REDIS_URL: cluster.url, SSE_KEY_PREFIX: prefix, INSTANCE_ID: 'gw-a' });
    b = await startGateway({ REDIS_CLUSTER_NODES: cluster.nodeList, SSE_KEY_PREFIX: prefix, INSTANCE_ID: 'gw-b' });
  });
  afterEach(() => streams.splice(0).forEach((s) => s.close()));
  afterAll(async () => {
    await Promise.all([a?.close(), b?.close()]);
  });

  it('delivers an event published on one instance to a stream on the other, with the same id', async () => {
    for (const channel of ['alpha', 'beta', 'gamma', 'delta']) {
      const stream = await openStream(`${b.url}/channels/${channel}/events`);
      streams.push(stream);
      await stream.waitUntil(() => stream.parser.lastEventId !== '');
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) {
        const answer = await post(`${a.url}/channels/${channel}/events`, { data: i, event: 'tick' });
        expect(answer.status).toBe(201);
        ids.push(answer.body.id as string);
      }
      const events = await stream.waitForEvents(5);
      expect(events.map((e) => [e.lastEventId, e.type, e.data])).toEqual(ids.map((id, i) => [id, 'tick', String(i)]));
    }
  });

  it('shares presence through the cluster: each instance sees both and their streams', async () => {
    const stream = await openStream(`${a.url}/channels/presence-check/events`);
    streams.push(stream);
    await stream.waitUntil(() => stream.parser.lastEventId !== '');
    const view = await eventually(async () => {
      const answer = await request('GET', `${b.url}/cluster`);
      const ids = (answer.body.instances as { id: string }[]).map((i) => i.id);
      return ids.includes('gw-a') && answer.body.total >= 1 ? answer.body : null;
    }, 10_000, 'gw-b sees gw-a in presence');
    expect(view.instances.map((i: { id: string }) => i.id)).toEqual(['gw-a', 'gw-b']);
  });

  it("counts a channel's subscribers on each instance (each instance's counts in a hash of its own slot)", async () => {
    // Even (2 and 2), so the rebalancer has nothing to move.
    for (const gateway of [a, a, b, b]) {
      const stream = await openStream(`${gateway.url}/channels/counted/events`);
      streams.push(stream);
      await stream.waitUntil(() => stream.parser.lastEventId !== '');
    }
    const expected = { channel: 'counted', total: 4, instances: [{ id: 'gw-a', subscribers: 2 }, { id: 'gw-b', subscribers: 2 }] };
    await eventually(async () => JSON.stringify((await request('GET', `${b.url}/channels/counted/presence`)).body) === JSON.stringify(expected), 10_000, 'the counts of both');
  });
});

describe('the built gateway on a Redis Cluster', () => {
  it('starts from a redis+cluster:// URL, says so, and serves', async () => {
    const gateway = await startGatewayProcess({ REDIS_URL: cluster.url, SSE_KEY_PREFIX: `proc-${unique()}:` });
    try {
      expect(gateway.output()).toMatch(/listening on 127\.0\.0\.1:\d+ \(redis redis\+cluster:\/\//);
      expect((await request('GET', `${gateway.url}/health`)).status).toBe(200);
      expect((await post(`${gateway.url}/channels/proc/events`, { data: 1 })).status).toBe(201);
      expect(await gateway.stop()).toBe(0);
    } finally {
      await gateway.kill();
    }
  });
});
