import { Redis } from 'ioredis';
import { RedisBroker, type RedisBrokerOptions } from '../src/sse/broker/redis.broker.js';
import { redisChannelKeys, redisKeySlot } from '../src/sse/broker/redis-keys.util.js';
import { brokerContract, recorder, sleep, waitFor } from '../src/sse/broker/testing/broker.contract.js';
import { BrokerUnavailableError } from '../src/sse/errors/index.js';
import { startGateway, type TestGateway } from './support/gateway-app.js';
import { startRedisCluster, type RedisCluster } from './support/redis-cluster.js';
import { openStream, post, type TestStream } from './support/sse-client.js';

// A real three-master Redis Cluster (redis-server processes joined by `redis-cli --cluster create`).
let cluster: RedisCluster;
beforeAll(async () => {
  cluster = await startRedisCluster({ masters: 3 });
}, 60_000);
afterAll(async () => {
  await cluster?.stop();
});

let counter = 0;
const unique = () => `c${++counter}-${Math.random().toString(36).slice(2, 8)}`;
const quiet = { log() {}, warn() {}, error() {} };

const opened: RedisBroker[] = [];
async function open(overrides: Partial<RedisBrokerOptions> = {}): Promise<RedisBroker> {
  const broker = new RedisBroker({ url: cluster.url, historyLimit: 100, keyPrefix: `${unique()}:`, logger: quiet, ...overrides });
  opened.push(broker);
  await broker.connect();
  return broker;
}
afterEach(async () => {
  await Promise.all(opened.splice(0).map((b) => b.close()));
});

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

/** A direct connection to node `i` (no cluster routing), closed after `work`. */
async function onNode<T>(i: number, work: (node: Redis) => Promise<T>, on: RedisCluster = cluster): Promise<T> {
  const node = new Redis(on.nodes[i]!.port, '127.0.0.1');
  try {
    return await work(node);
  } finally {
    await node.quit().catch(() => node.disconnect());
  }
}

/** Index of the node whose slot ranges hold `slot` (CLUSTER SLOTS as the nodes say it). */
function ownerOf(slot: number): Promise<number> {
  return cluster.ownerOf(slot);
}

/** Channel names, `perNode` owned by each master, for this key prefix. */
async function channelsPerNode(prefix: string, perNode: number): Promise<string[][]> {
  const byNode: string[][] = cluster.nodes.map(() => []);
  for (let i = 0; byNode.some((list) => list.length < perNode); i++) {
    const channel = `ch-${i}`;
    const owner = await ownerOf(redisKeySlot(redisChannelKeys(prefix, channel).stream));
    if (byNode[owner]!.length < perNode) byNode[owner]!.push(channel);
  }
  return byNode;
}

/** CLIENT LIST entries named `name` on node `i`. */
async function clients(i: number, name: string, on: RedisCluster = cluster): Promise<Record<string, string>[]> {
  const list = (await onNode(i, (n) => n.client('LIST'), on)) as string;
  return list
    .split('\n')
    .filter(Boolean)
    .map((line) => Object.fromEntries(line.split(' ').map((kv) => kv.split('=', 2) as [string, string])))
    .filter((client) => client.name === name);
}

async function timed(work: Promise<unknown>): Promise<{ error: unknown; ms: number }> {
  const start = Date.now();
  const error = await work.then(() => undefined, (e: unknown) => e);
  return { error, ms: Date.now() - start };
}

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
    const byNode = await channelsPerNode(keyPrefix, 2);
    for (const [owner, channels] of byNode.entries()) {
      for (const channel of channels) {
        const seen = recorder();
        await b.subscribe(channel, seen);
        const sent = await a.publish(channel, { event: 'e', data: JSON.stringify({ channel }) });
        await waitFor(() => seen.events.length === 1);
        expect(seen.events[0]).toMatchObject({ id: sent.id, event: 'e', data: JSON.stringify({ channel }) });
        expect((await b.history(channel, { limit: 10 })).events.map((e) => e.id)).toEqual([sent.id]);
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
    const byNode = await channelsPerNode(keyPrefix, 20);
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
    const [[channel]] = (await channelsPerNode(keyPrefix, 1)).slice(1);
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
    const { id } = await broker.publish('seed', { data: '1' });
    await waitFor(() => seen.events.length === 1);
    expect(seen.events[0]!.id).toBe(id);
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
});

describe('RedisBroker when a cluster master fails', () => {
  it('fails fast for channels on the lost master, then resyncs and delivers again once it is back', async () => {
    const keyPrefix = `${unique()}:`;
    const name = unique();
    const lines: string[] = [];
    const logger = { log: (m: string) => lines.push(m), warn: (m: string) => lines.push(m), error: (m: string) => lines.push(m) };
    const broker = await open({ keyPrefix, connectionName: name, commandTimeoutMs: 2000, healthCheckMs: 500, logger });
    const byNode = await channelsPerNode(keyPrefix, 1);
    const [lost] = byNode[0]!;
    const [kept] = byNode[1]!;
    const trace: string[] = [];
    let resyncs = 0;
    await broker.subscribe(lost!, {
      onEvent: (e) => trace.push(e.data),
      onResync: () => {
        resyncs++;
        trace.push('resync');
      },
    });
    await broker.publish(lost!, { data: '"before"' });
    await waitFor(() => trace.length === 1);

    await cluster.kill(0);
    const publish = await timed(broker.publish(lost!, { data: '"during"' }));
    expect(publish.error).toBeInstanceOf(BrokerUnavailableError);
    expect(publish.ms).toBeLessThan(3000);
    const history = await timed(broker.history(lost!, { limit: 1 }));
    expect(history.error).toBeInstanceOf(BrokerUnavailableError);
    expect(history.ms).toBeLessThan(3000);
    // Until the cluster declares the master failed (cluster-node-timeout), other shards still work.
    const other = await timed(broker.publish(kept!, { data: '1' }));
    expect(other.error === undefined || other.error instanceof BrokerUnavailableError).toBe(true);

    await cluster.restart(0);
    await waitFor(() => resyncs === 1, 20_000);
    let sent: string | undefined;
    for (const deadline = Date.now() + 20_000; Date.now() < deadline && sent === undefined; await sleep(100)) {
      sent = await broker.publish(lost!, { data: '"after"' }).then((r) => r.id, () => undefined);
    }
    expect(sent).toBeDefined();
    await waitFor(() => trace.includes('"after"'), 10_000);
    expect(trace.slice(0, 2)).toEqual(['"before"', 'resync']);
    expect(trace.filter((t) => t === 'resync')).toHaveLength(1);
    // One subscriber connection on the restarted master again, holding the one channel.
    expect(await clients(0, `${name}:sub`)).toEqual([expect.objectContaining({ sub: '0' })]);
    expect([...broker.subscriberConnections().values()]).toEqual([1]);
    const port = cluster.nodes[0]!.port;
    expect(lines).toEqual(
      expect.arrayContaining([`Redis subscriber (127.0.0.1:${port}) connection back`, expect.stringMatching(`subscriber \\(127.0.0.1:${port}\\) connection lost`)]),
    );
    // No busy loop while the master was down: re-subscribing waits for the connection.
    expect(lines.filter((l) => /re-subscribing/.test(l)).length).toBeLessThan(5);
  }, 90_000);

  it('follows a channel whose slot is resharded to another master: resync first, then live again', async () => {
    const keyPrefix = `${unique()}:`;
    const broker = await open({ keyPrefix });
    const other = await open({ keyPrefix });
    const [[channel]] = await channelsPerNode(keyPrefix, 1);
    const keys = redisChannelKeys(keyPrefix, channel!);
    const slot = redisKeySlot(keys.live);
    const trace: string[] = [];
    let resyncs = 0;
    await broker.subscribe(channel!, {
      onEvent: (e) => trace.push(e.data),
      onResync: () => {
        resyncs++;
        trace.push('resync');
      },
    });
    const first = await other.publish(channel!, { data: '"before"' });
    await waitFor(() => trace.length === 1);

    await cluster.moveSlot(slot, 2);
    // Published on the new owner before this instance follows the slot: only resync can bring it.
    const moved = await other.publish(channel!, { data: '"moved"' });
    await waitFor(() => resyncs === 1, 15_000);
    expect(await onNode(2, (n) => n.call('PUBSUB', 'SHARDCHANNELS', `${keyPrefix}*`))).toEqual([keys.live]);
    expect(await onNode(0, (n) => n.call('PUBSUB', 'SHARDCHANNELS', `${keyPrefix}*`))).toEqual([]);
    const after = await other.publish(channel!, { data: '"after"' });
    await waitFor(() => trace.includes('"after"'));
    expect(trace.slice(0, 2)).toEqual(['"before"', 'resync']);
    expect(trace.indexOf('resync')).toBeLessThan(trace.indexOf('"after"'));
    // The keys moved with the slot: same epoch, and the gap is in the history.
    const page = await broker.history(channel!, { after: first.id, limit: 10 });
    expect(page.events.map((e) => e.id)).toEqual([moved.id, after.id]);
    expect([...broker.subscriberConnections()].filter(([, count]) => count > 0)).toEqual([[`127.0.0.1:${cluster.nodes[2]!.port}`, 1]]);
  }, 60_000);
});

describe('RedisBroker when a master fails over to its replica', () => {
  let withReplicas: RedisCluster;
  beforeAll(async () => {
    withReplicas = await startRedisCluster({ masters: 3, replicas: 1 });
  }, 60_000);
  afterAll(async () => {
    await withReplicas?.stop();
  });

  it('moves the subscription to the promoted replica, resyncs, and delivers again', async () => {
    const keyPrefix = `${unique()}:`;
    const name = unique();
    const broker = await open({ url: withReplicas.url, keyPrefix, connectionName: name });
    const other = await open({ url: withReplicas.url, keyPrefix });
    const channel = 'failover';
    const slot = redisKeySlot(redisChannelKeys(keyPrefix, channel).live);
    const master = await withReplicas.ownerOf(slot);
    const trace: string[] = [];
    await broker.subscribe(channel, {
      onEvent: (e) => trace.push(e.data),
      onResync: () => trace.push('resync'),
    });
    const first = await other.publish(channel, { data: '"before"' });
    await waitFor(() => trace.length === 1);
    await sleep(200); // let the replica receive the event

    await withReplicas.kill(master);
    let promoted = -1;
    for (const deadline = Date.now() + 30_000; Date.now() < deadline && (promoted < 0 || promoted === master); await sleep(200)) {
      promoted = await withReplicas.ownerOf(slot).catch(() => -1);
    }
    expect(promoted).not.toBe(master);
    let sent: string | undefined;
    for (const deadline = Date.now() + 20_000; Date.now() < deadline && sent === undefined; await sleep(100)) {
      sent = await other.publish(channel, { data: '"after"' }).then((r) => r.id, () => undefined);
    }
    expect(sent).toBeDefined();
    await waitFor(() => trace.includes('resync'), 20_000);
    const page = await broker.history(channel, { after: first.id, limit: 10 });
    expect(page.reset).toBeUndefined(); // the replica had the stream: same epoch, positions still good
    expect(page.events.map((e) => e.id)).toContain(sent);
    await waitFor(() => trace.includes('"after"') || page.events.length > 0, 10_000);
    expect(trace.slice(0, 2)).toEqual(['"before"', 'resync']);
    // The subscriber of the dead master is gone; the promoted one carries the channel.
    await waitFor(() => [...broker.subscriberConnections().keys()].every((key) => !key.endsWith(`:${withReplicas.nodes[master]!.port}`)), 15_000);
    expect(broker.subscriberConnections().get(`127.0.0.1:${withReplicas.nodes[promoted]!.port}`)).toBe(1);
    expect(await clients(promoted, `${name}:sub`, withReplicas)).toHaveLength(1);
  }, 120_000);
});
