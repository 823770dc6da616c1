import type { Redis } from 'ioredis';
import { RedisBroker, type RedisBrokerOptions } from '../src/sse/broker/redis.broker.js';
import { quietLogger, redisBrokers } from './support/redis-brokers.js';
import { redisChannelKeys, redisKeySlot } from '../src/sse/broker/redis-keys.util.js';
import { sleep, waitFor } from '../src/sse/broker/testing/broker.contract.js';
import { BrokerUnavailableError } from '../src/sse/errors/index.js';
import { channelsPerNode, clients as clientsOn, onNode as onNodeOf, timed } from './support/cluster-probes.js';
import { startRedisCluster, type RedisCluster } from './support/redis-cluster.js';

// Redis Cluster failures on real processes: a master killed and restarted, a slot resharded
// live, and (on a cluster with replicas) a master failing over to its replica.
let cluster: RedisCluster;
beforeAll(async () => {
  cluster = await startRedisCluster({ masters: 3 });
}, 60_000);
afterAll(async () => {
  await cluster?.stop();
});

const { unique, open } = redisBrokers(() => cluster.url, 'f');

const onNode = <T>(i: number, work: (node: Redis) => Promise<T>) => onNodeOf(cluster, i, work);

describe('RedisBroker when a cluster master fails', () => {
  it('fails fast for channels on the lost master, then resyncs and delivers again once it is back', async () => {
    const keyPrefix = `${unique()}:`;
    const name = unique();
    const lines: string[] = [];
    const logger = { log: (m: string) => lines.push(m), warn: (m: string) => lines.push(m), error: (m: string) => lines.push(m) };
    const broker = await open({ keyPrefix, connectionName: name, commandTimeoutMs: 2000, healthCheckMs: 500, logger });
    const byNode = await channelsPerNode(cluster, keyPrefix, 1);
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
      sent = await broker.publish(lost!, { data: '"after"' }).then((r) => r.position.toString(), () => undefined);
    }
    expect(sent).toBeDefined();
    await waitFor(() => trace.includes('"after"'), 10_000);
    expect(trace.slice(0, 2)).toEqual(['"before"', 'resync']);
    expect(trace.filter((t) => t === 'resync')).toHaveLength(1);
    // One subscriber connection on the restarted master again, holding the one channel.
    expect(await clientsOn(cluster, 0, `${name}:sub`)).toEqual([expect.objectContaining({ sub: '0' })]);
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
    const [[channel]] = await channelsPerNode(cluster, keyPrefix, 1);
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
    const page = await broker.history(channel!, { after: first.position, limit: 10 });
    expect(page.events.map((e) => e.position.toString())).toEqual([moved.position.toString(), after.position.toString()]);
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
      sent = await other.publish(channel, { data: '"after"' }).then((r) => r.position.toString(), () => undefined);
    }
    expect(sent).toBeDefined();
    await waitFor(() => trace.includes('resync'), 20_000);
    const page = await broker.history(channel, { after: first.position, limit: 10 });
    expect(page.reset).toBeUndefined(); // the replica had the stream: same epoch, positions still good
    expect(page.events.map((e) => e.position.toString())).toContain(sent);
    await waitFor(() => trace.includes('"after"') || page.events.length > 0, 10_000);
    expect(trace.slice(0, 2)).toEqual(['"before"', 'resync']);
    // The subscriber of the dead master is gone; the promoted one carries the channel.
    await waitFor(() => [...broker.subscriberConnections().keys()].every((key) => !key.endsWith(`:${withReplicas.nodes[master]!.port}`)), 15_000);
    expect(broker.subscriberConnections().get(`127.0.0.1:${withReplicas.nodes[promoted]!.port}`)).toBe(1);
    expect(await clientsOn(withReplicas, promoted, `${name}:sub`)).toHaveLength(1);
  }, 120_000);
});
