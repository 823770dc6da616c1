import { RedisBroker } from '../src/sse/broker/redis.broker.js';
import { brokerContract } from '../src/sse/broker/testing/broker.contract.js';
import { startGatewayProcess, type GatewayProcess } from './support/gateway-process.js';
import { eventually, sleep } from './support/ports.js';
import { ReconnectingClient, RetryingPublisher } from './support/reconnecting-client.js';
import { quietLogger } from './support/redis-brokers.js';
import { startRedisSentinel, type RedisSentinelGroup } from './support/redis-sentinel.js';
import { openStream, post, request } from './support/sse-client.js';

// The built gateway on a Sentinel group of real processes: a master, two replicas and three
// Sentinels (quorum 2). The data nodes require an ACL user (the URL's credentials) and the
// Sentinels a password of their own (SSE_REDIS_SENTINEL_PASSWORD), so both must be used.
const AUTH = { username: 'app', password: 'app-secret' };
const SENTINEL_PASSWORD = 'sentinel-secret';
const CHANNEL = 'orders';

let group: RedisSentinelGroup | undefined;
const gateways: GatewayProcess[] = [];
const clients: ReconnectingClient[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.stop()));
  await Promise.all(gateways.splice(0).map((g) => g.stop()));
  await group?.stop();
  group = undefined;
});

async function startGroup(): Promise<RedisSentinelGroup> {
  group = await startRedisSentinel({ auth: AUTH, sentinelPassword: SENTINEL_PASSWORD });
  return group;
}

async function startGateway(env: Record<string, string>): Promise<GatewayProcess> {
  const gateway = await startGatewayProcess({
    REDIS_URL: group!.url,
    SSE_REDIS_SENTINEL_PASSWORD: SENTINEL_PASSWORD,
    SSE_REBALANCE_RATIO: '0',
    SSE_PUBLISH_TIMEOUT_MS: '2000',
    ...env,
  });
  gateways.push(gateway);
  return gateway;
}

/** Stream ids are `<ms>-<seq>.<epoch>`: by ms, then seq, within one epoch. */
function compareIds(a: string, b: string): number {
  const [am, as] = a.split('.')[0]!.split('-').map(BigInt) as [bigint, bigint];
  const [bm, bs] = b.split('.')[0]!.split('-').map(BigInt) as [bigint, bigint];
  return am !== bm ? (am < bm ? -1 : 1) : as === bs ? 0 : as < bs ? -1 : 1;
}

function strictlyIncreasing(ids: readonly string[]): boolean {
  return ids.every((id, i) => i === 0 || compareIds(ids[i - 1]!, id) < 0);
}

interface FailoverFigures {
  minReplicasAck: number;
  acknowledged: number;
  acknowledgedAfterKill: number;
  /** Per subscriber: acknowledged events it got, acknowledged ones it never got, others it got. */
  subscribers: { delivered: number; acknowledgedMissing: number; unacknowledgedDelivered: number; resets: number; connections: number }[];
  /** Acknowledged events not in the promoted master's stream. */
  lostFromRedis: number;
  publishFailures: number;
  failoverMs: number;
}

/**
 * Two gateways on the group, three subscribers, three producers (two on the same gateway, so
 * their publishes share its connection and its WAITs) each publishing one event after the
 * other with an Idempotency-Key (retrying until a 201); the master is SIGKILLed while they
 * publish, Sentinel promotes a replica, and they go on until 20 more events got a 201.
 */
async function failoverRun(minReplicasAck: number): Promise<{ figures: FailoverFigures; ids: string[][]; acked: string[] }> {
  await startGroup();
  const env: Record<string, string> = minReplicasAck > 0 ? { SSE_REDIS_MIN_REPLICAS_ACK: String(minReplicasAck), SSE_REDIS_ACK_TIMEOUT_MS: '500' } : {};
  const prefix = `ha-${minReplicasAck}-${Date.now()}:`;
  const a = await startGateway({ ...env, SSE_KEY_PREFIX: prefix, INSTANCE_ID: 'gw-a' });
  const b = await startGateway({ ...env, SSE_KEY_PREFIX: prefix, INSTANCE_ID: 'gw-b' });
  for (const gateway of [a, a, b]) clients.push(new ReconnectingClient(`${gateway.url}/channels/${CHANNEL}/events`, { retryMs: 200 }).start());
  await eventually(() => clients.every((c) => c.connections === 1 && c.lastEventId !== ''), 10_000, 'streams open');

  const producers = [a, a, b].map((gateway) => new RetryingPublisher(gateway.url, CHANNEL));
  let stop = false;
  const loops = producers.map(async (producer, p) => {
    for (let i = 0; !stop; i++) {
      await producer.publish({ producer: p, n: i }, `p${p}-${i}`, 60_000);
      await sleep(10);
    }
  });
  const acked = () => producers.reduce((n, p) => n + p.accepted.length, 0);
  await eventually(() => acked() >= 30, 15_000, '30 events acknowledged');

  const master = await group!.master();
  const killedAt = Date.now();
  await group!.servers[master]!.kill(); // SIGKILL, mid-publish
  const ackedAtKill = acked();
  const promoted = await group!.waitForFailover(master);
  const failoverMs = Date.now() - killedAt;
  await eventually(() => acked() >= ackedAtKill + 20, 30_000, '20 more events acknowledged after the failover');
  stop = true;
  await Promise.all(loops);

  const all = producers.flatMap((p) => p.accepted);
  const ackedSet = new Set(all);
  // Let what was published arrive (or not: with the option off, some may be gone).
  await eventually(() => clients.every((c) => all.every((id) => c.ids().includes(id))), 10_000, 'acknowledged events delivered').catch(() => undefined);
  const stored = new Set(((await group!.client(promoted).xrange(`${prefix}{${CHANNEL}}:stream`, '-', '+')) as [string, string[]][]).map(([id]) => id));
  const figures: FailoverFigures = {
    minReplicasAck,
    acknowledged: all.length,
    acknowledgedAfterKill: all.length - ackedAtKill,
    subscribers: clients.map((c) => ({
      delivered: c.ids().filter((id) => ackedSet.has(id)).length,
      acknowledgedMissing: all.filter((id) => !c.ids().includes(id)).length,
      unacknowledgedDelivered: c.ids().filter((id) => !ackedSet.has(id)).length,
      resets: c.events.filter((e) => e.type === 'reset').length,
      connections: c.connections,
    })),
    lostFromRedis: all.filter((id) => !stored.has(id.split('.')[0]!)).length,
    publishFailures: producers.reduce((n, p) => n + p.failures.length, 0),
    failoverMs,
  };
  console.log(`Sentinel failover, SSE_REDIS_MIN_REPLICAS_ACK=${minReplicasAck}: ${JSON.stringify(figures)}`);
  // Both gateways saw their command and subscriber connections go and come back.
  for (const gateway of [a, b]) {
    expect(gateway.output()).toMatch(/Redis command connection lost/);
    expect(gateway.output()).toMatch(/Redis subscriber connection back/);
  }
  return { figures, ids: clients.map((c) => c.events.filter((e) => e.type !== 'reset').map((e) => e.lastEventId)), acked: all };
}

describe('RedisBroker on a Sentinel group', () => {
  let shared: RedisSentinelGroup | undefined;
  let count = 0;
  beforeAll(async () => {
    shared = await startRedisSentinel({ auth: AUTH, sentinelPassword: SENTINEL_PASSWORD });
  }, 60_000);
  afterAll(async () => {
    await shared?.stop();
  });

  // Every publish through the acknowledgement connection, confirmed by both replicas.
  brokerContract('RedisBroker on Sentinel, minReplicasAck 2', {
    create: async (historyLimit) => {
      const broker = new RedisBroker({
        url: shared!.url,
        connection: { sentinelPassword: SENTINEL_PASSWORD },
        historyLimit,
        keyPrefix: `contract-${++count}:`,
        minReplicasAck: 2,
        ackTimeoutMs: 1000,
        logger: quietLogger,
      });
      await broker.connect();
      return broker;
    },
    trimSlack: 0,
  });
});

describe('the gateway on Redis Sentinel', () => {
  it('serves publish, history and streams through a redis+sentinel:// URL with separate Sentinel credentials', async () => {
    await startGroup();
    const gateway = await startGateway({ SSE_KEY_PREFIX: `basic-${Date.now()}:` });
    expect(gateway.output()).toMatch(/Redis command connection ready/);
    const stream = await openStream(`${gateway.url}/channels/${CHANNEL}/events`);
    await stream.waitUntil(() => stream.parser.lastEventId !== '');
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const answer = await post(`${gateway.url}/channels/${CHANNEL}/events`, { data: { n: i } });
      expect(answer.status).toBe(201);
      ids.push(answer.body.id);
    }
    expect((await stream.waitForEvents(3)).map((e) => e.lastEventId)).toEqual(ids);
    const history = await request('GET', `${gateway.url}/channels/${CHANNEL}/events`, { headers: { accept: 'application/json' } });
    expect(history.body.events.map((e: { id: string }) => e.id)).toEqual(ids);
    stream.close();
    // Every connection went to the master the Sentinels name, as the app user.
    const list = String(await group!.client(await group!.master()).client('LIST'));
    for (const name of ['sse:cmd', 'sse:sub', 'sse-presence']) expect(list).toMatch(new RegExp(`name=${name} .*user=app`));
  }, 60_000);

  it('follows a failover: with SSE_REDIS_MIN_REPLICAS_ACK=1 every acknowledged event reaches every subscriber once, in order', async () => {
    const { figures, ids, acked } = await failoverRun(1);
    expect(figures.acknowledgedAfterKill).toBeGreaterThanOrEqual(20);
    expect(figures.publishFailures).toBeGreaterThan(0); // the outage was seen, and retried through
    expect(figures.lostFromRedis).toBe(0);
    for (const [i, subscriber] of figures.subscribers.entries()) {
      expect(strictlyIncreasing(ids[i]!)).toBe(true); // in order, nothing twice
      expect(subscriber).toMatchObject({ delivered: acked.length, acknowledgedMissing: 0, resets: 0, connections: 1 });
    }
  }, 150_000);

  it('follows a failover with the option off too, in order and without duplicates (figures in the log)', async () => {
    const { figures, ids } = await failoverRun(0);
    expect(figures.acknowledgedAfterKill).toBeGreaterThanOrEqual(20);
    for (const [i, subscriber] of figures.subscribers.entries()) {
      expect(strictlyIncreasing(ids[i]!)).toBe(true);
      expect(subscriber.connections).toBe(1);
    }
  }, 150_000);
});

describe('SSE_REDIS_MIN_REPLICAS_ACK=1 on Sentinel', () => {
  it('answers 201 only once a replica holds the event: 503 while none does, and a retry with the same key is then safe', async () => {
    await startGroup();
    const env = { SSE_KEY_PREFIX: `ack-${Date.now()}:`, SSE_REDIS_MIN_REPLICAS_ACK: '1', SSE_REDIS_ACK_TIMEOUT_MS: '400' };
    const gateway = await startGateway({ ...env, INSTANCE_ID: 'gw-a' });
    const other = await startGateway({ ...env, INSTANCE_ID: 'gw-b' });
    const url = `${gateway.url}/channels/${CHANNEL}/events`;
    const otherUrl = `${other.url}/channels/${CHANNEL}/events`;
    const stream = await openStream(url);
    await stream.waitUntil(() => stream.parser.lastEventId !== '');
    const first = await post(url, { data: 'first' });
    expect(first.status).toBe(201);

    const master = await group!.master();
    const replicas = group!.servers.filter((_, i) => i !== master);
    replicas.forEach((r) => r.pause()); // SIGSTOP: connected, but acknowledging nothing
    try {
      const started = Date.now();
      const refused = await post(url, { data: 'unconfirmed' }, { 'idempotency-key': 'k-1' });
      const tookMs = Date.now() - started;
      expect(refused.status).toBe(503);
      expect(refused.body).toEqual({
        statusCode: 503,
        error: 'Service Unavailable',
        message:
          'the event could not be confirmed as stored (Redis stored the event but only 0 of the 1 replica(s) required confirmed it within 400 ms, so a failover could lose it; it may still be delivered); retry with the same Idempotency-Key',
      });
      expect(tookMs).toBeGreaterThanOrEqual(390);
      expect(tookMs).toBeLessThan(1500);
      // It may still be delivered: it is stored, and went out live.
      const [, unconfirmed] = await stream.waitForEvents(2);
      expect(unconfirmed!.data).toBe('"unconfirmed"');
      // A retry through another instance finds the event, which no replica holds yet: that
      // instance's WAIT must cover a write it did not make, so it is refused too.
      const elsewhere = await post(otherUrl, { data: 'unconfirmed' }, { 'idempotency-key': 'k-1' });
      expect(elsewhere.status).toBe(503);
      expect(elsewhere.body.message).toMatch(/only 0 of the 1 replica/);

      // While a publish waits for replicas, reads and streams do not queue behind its WAIT.
      const waiting = post(url, { data: 'second' }, { 'idempotency-key': 'k-2' });
      await sleep(50);
      const readStarted = Date.now();
      const history = await request('GET', `${url}?limit=10`, { headers: { accept: 'application/json' } });
      expect(history.status).toBe(200);
      expect(Date.now() - readStarted).toBeLessThan(300);
      expect((await waiting).status).toBe(503);
    } finally {
      replicas.forEach((r) => r.resume());
    }

    // The retry finds the stored event (no second copy) and confirms that a replica holds it.
    const retried = await eventually(async () => {
      const answer = await post(otherUrl, { data: 'unconfirmed' }, { 'idempotency-key': 'k-1' });
      return answer.status === 201 ? answer : undefined;
    }, 5_000, 'the retry to be confirmed');
    const [, unconfirmed] = stream.parser.events;
    expect(retried.body.id).toBe(unconfirmed!.lastEventId);
    const again = await post(url, { data: 'second' }, { 'idempotency-key': 'k-2' });
    expect(again.status).toBe(201);
    await stream.waitForEvents(3);
    await sleep(200);
    expect(stream.parser.events.map((e) => e.data)).toEqual(['"first"', '"unconfirmed"', '"second"']);
    const history = await request('GET', `${url}?limit=10`, { headers: { accept: 'application/json' } });
    expect(history.body.events.map((e: { data: string }) => e.data)).toEqual(['first', 'unconfirmed', 'second']);
    stream.close();
  }, 60_000);
});

/**
 * The case the option is for: the replicas are behind when the master dies. Both replicas
 * are frozen (SIGSTOP) and a 32 MiB write fills the replication links, so what follows stays
 * in the master's memory; ten events are published; the master is SIGKILLed, the replicas
 * resume, Sentinel promotes one. Counts the acknowledged events the promoted master lacks.
 */
async function laggingReplicasRun(minReplicasAck: number): Promise<{ lostFromRedis: number; acknowledged: number; failures: number }> {
  await startGroup();
  const env: Record<string, string> = minReplicasAck > 0 ? { SSE_REDIS_MIN_REPLICAS_ACK: String(minReplicasAck), SSE_REDIS_ACK_TIMEOUT_MS: '300' } : {};
  const prefix = `lag-${minReplicasAck}-${Date.now()}:`;
  const gateway = await startGateway({ ...env, SSE_KEY_PREFIX: prefix });
  const producer = new RetryingPublisher(gateway.url, CHANNEL);
  for (let i = 0; i < 10; i++) await producer.publish({ n: i }, `k-${i}`);
  const master = await group!.master();
  const replicas = group!.servers.filter((_, i) => i !== master);
  const client = group!.client(master);
  // Both replicas have everything so far.
  await eventually(async () => {
    const info = await client.info('replication');
    const offset = /master_repl_offset:(\d+)/.exec(info)![1];
    return (info.match(new RegExp(`^slave\\d+:.*offset=${offset},`, 'gm')) ?? []).length === replicas.length;
  }, 5_000, 'replicas in sync');

  replicas.forEach((r) => r.pause());
  let publishing: Promise<void> | undefined;
  try {
    await client.set(`${prefix}filler`, Buffer.alloc(32 * 1024 * 1024, 120));
    publishing = (async () => {
      for (let i = 10; i < 20; i++) await producer.publish({ n: i }, `k-${i}`, 60_000);
    })();
    // Off: all ten get their 201 at once. On: the first one keeps getting 503s.
    if (minReplicasAck === 0) await eventually(() => producer.accepted.length === 20, 10_000, 'ten more 201s');
    else await eventually(() => producer.failures.length >= 3, 10_000, 'a few 503s');
    await group!.servers[master]!.kill();
  } finally {
    replicas.forEach((r) => r.resume());
  }
  const promoted = await group!.waitForFailover(master, 0);
  await publishing;
  const stored = new Set(((await group!.client(promoted).xrange(`${prefix}{${CHANNEL}}:stream`, '-', '+')) as [string, string[]][]).map(([id]) => id));
  const figures = {
    acknowledged: producer.accepted.length,
    lostFromRedis: producer.accepted.filter((id) => !stored.has(id.split('.')[0]!)).length,
    failures: producer.failures.length,
  };
  console.log(`Sentinel failover with lagging replicas, SSE_REDIS_MIN_REPLICAS_ACK=${minReplicasAck}: ${JSON.stringify(figures)}`);
  return figures;
}

describe('a failover while the replicas lag behind', () => {
  it('loses acknowledged events with the option off', async () => {
    const figures = await laggingReplicasRun(0);
    expect(figures.acknowledged).toBe(20);
    expect(figures.lostFromRedis).toBeGreaterThan(0);
  }, 120_000);

  it('loses no acknowledged event with SSE_REDIS_MIN_REPLICAS_ACK=1', async () => {
    const figures = await laggingReplicasRun(1);
    expect(figures.acknowledged).toBe(20);
    expect(figures.failures).toBeGreaterThan(0);
    expect(figures.lostFromRedis).toBe(0);
  }, 120_000);
});
