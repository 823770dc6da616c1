import { Redis } from 'ioredis';
import type { BrokerEvent } from '../src/sse/broker/broker.interface.js';
import { RedisBroker, type RedisBrokerOptions } from '../src/sse/broker/redis.broker.js';
import { quietLogger, redisBrokers } from './support/redis-brokers.js';
import { redisChannelKeys } from '../src/sse/broker/redis-keys.util.js';
import { brokerContract, recorder, sleep, waitFor } from '../src/sse/broker/testing/broker.contract.js';
import { BrokerUnavailableError } from '../src/sse/errors/index.js';
import { startRedis, type RedisServer } from './support/redis-server.js';

let server: RedisServer;
beforeAll(async () => {
  server = await startRedis();
});
afterAll(async () => {
  await server?.stop();
});

const { unique, open, closeAll } = redisBrokers(() => server.url, 't');

brokerContract('RedisBroker', {
  create: async (historyLimit) => {
    const broker = new RedisBroker({ url: server.url, historyLimit, keyPrefix: `${unique()}:` });
    await broker.connect();
    return broker;
  },
  // Trimming is exact (see redis-scripts.ts): the stream keeps exactly historyLimit events.
  trimSlack: 0,
});

/** CLIENT LIST entries of the connections named `name`. */
async function clients(url: string, name: string): Promise<Record<string, string>[]> {
  const admin = new Redis(url);
  try {
    const list = (await admin.client('LIST')) as string;
    return list
      .split('\n')
      .filter(Boolean)
      .map((line) => Object.fromEntries(line.split(' ').map((kv) => kv.split('=', 2) as [string, string])))
      .filter((client) => client.name === name);
  } finally {
    admin.disconnect();
  }
}

async function eventually(check: () => Promise<unknown>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await check();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await sleep(50);
    }
  }
}

async function timed(work: Promise<unknown>): Promise<{ error: unknown; ms: number }> {
  const start = Date.now();
  const error = await work.then(() => undefined, (e: unknown) => e);
  return { error, ms: Date.now() - start };
}

describe('RedisBroker on Redis', () => {
  it('carries a publish on one instance to a subscriber on another, with the same id', async () => {
    const keyPrefix = `${unique()}:`;
    const a = await open({ keyPrefix });
    const b = await open({ keyPrefix });
    const seen = recorder();
    await b.subscribe('shared', seen);
    const data = JSON.stringify({ text: 'line one\nline two\n\nend ✓' });
    const sent = await a.publish('shared', { event: 'order.created', data });
    await waitFor(() => seen.events.length === 1);
    const { events } = await b.history('shared', { limit: 10 });
    expect(seen.events[0]).toEqual(events[0]);
    expect(seen.events[0]).toMatchObject({ event: 'order.created', data });
    expect(seen.events[0]!.position.equals(sent.position)).toBe(true);
    expect(events[0]!.position.equals(sent.position)).toBe(true);
  });

  it('uses exactly one subscriber connection however many channels it subscribes', async () => {
    const name = unique();
    const broker = await open({ connectionName: name });
    const subs = await Promise.all(
      Array.from({ length: 30 }, (_, i) => broker.subscribe(`ch-${i % 15}`, { onEvent: () => undefined })),
    );
    const [sub] = await clients(server.url, `${name}:sub`);
    expect(await clients(server.url, `${name}:sub`)).toHaveLength(1);
    expect(sub).toMatchObject({ sub: '15', psub: '0' });
    expect(await clients(server.url, `${name}:cmd`)).toEqual([expect.objectContaining({ sub: '0' })]);
    await Promise.all(subs.map((s) => s.unsubscribe()));
    expect((await clients(server.url, `${name}:sub`))[0]).toMatchObject({ sub: '0' });
  });

  it('never loses a subscribe that races the last unsubscribe of its channel', async () => {
    const name = unique();
    const broker = await open({ connectionName: name });
    for (let round = 0; round < 20; round++) {
      const first = await broker.subscribe('race', { onEvent: () => undefined });
      const seen = recorder();
      const [, second] = await Promise.all([first.unsubscribe(), broker.subscribe('race', seen)]);
      const { position } = await broker.publish('race', { data: String(round) });
      await waitFor(() => seen.events.length === 1);
      expect(seen.events[0]!.position.equals(position)).toBe(true);
      await second.unsubscribe();
    }
    expect((await clients(server.url, `${name}:sub`))[0]).toMatchObject({ sub: '0' });
  });

  it('keeps delivering to other listeners when one throws', async () => {
    const broker = await open();
    const seen = recorder();
    await broker.subscribe('c', { onEvent: () => { throw new Error('boom'); } });
    await broker.subscribe('c', seen);
    await broker.publish('c', { data: '1' });
    await broker.publish('c', { data: '2' });
    await waitFor(() => seen.events.length === 2);
    expect(seen.events.map((e) => e.data)).toEqual(['1', '2']);
  });

  it('refuses an event type with a line break (it would corrupt the live message)', async () => {
    const broker = await open();
    await expect(broker.publish('c', { event: 'a\nb', data: '1' })).rejects.toMatchObject({ status: 400 });
  });

  it('prunes idempotency keys together with the events they point at', async () => {
    const keyPrefix = `${unique()}:`;
    const broker = await open({ keyPrefix, historyLimit: 5 });
    for (let i = 0; i < 40; i++) {
      await broker.publish('idem', { data: String(i), idempotencyKey: `k${i}` });
      await sleep(2); // distinct ms: keys are pruned by the ms of the oldest kept event
    }
    const keys = redisChannelKeys(keyPrefix, 'idem');
    const admin = new Redis(server.url);
    try {
      expect(await admin.xlen(keys.stream)).toBe(5);
      expect(await admin.hlen(keys.idem)).toBe(5);
      expect(await admin.zcard(keys.idemq)).toBe(5);
    } finally {
      admin.disconnect();
    }
    expect(await broker.publish('idem', { data: 'again', idempotencyKey: 'k39' })).toMatchObject({ duplicate: true });
  });

  it('starts a new epoch when the stream is lost but its meta survives (eviction, DEL)', async () => {
    const keyPrefix = `${unique()}:`;
    const broker = await open({ keyPrefix });
    const { position } = await broker.publish('lost', { data: '1', idempotencyKey: 'k' });
    const admin = new Redis(server.url);
    await admin.del(redisChannelKeys(keyPrefix, 'lost').stream);
    admin.disconnect();
    const page = await broker.history('lost', { after: position, limit: 10 });
    expect(page).toMatchObject({ reset: 'unknown', events: [] });
    expect(page.head.isStart).toBe(true);
    expect(page.head.epoch).not.toBe(position.epoch);
    const again = await broker.publish('lost', { data: '2', idempotencyKey: 'k' });
    expect(again.duplicate).toBe(false);
    expect((await broker.history('lost', { after: page.head, limit: 10 })).events.map((e) => e.position.toString())).toEqual([again.position.toString()]);
  });

  it('answers ping() while Redis answers', async () => {
    const broker = await open();
    await expect(broker.ping()).resolves.toBeUndefined();
  });
});

describe('RedisBroker when Redis fails', () => {
  let own: RedisServer;
  beforeEach(async () => {
    own = await startRedis();
  });
  afterEach(async () => {
    await closeAll();
    await own.stop();
  });

  function logs() {
    const lines: string[] = [];
    return { lines, log: (m: string) => lines.push(m), warn: (m: string) => lines.push(m), error: (m: string) => lines.push(m) };
  }

  it('fails fast during a crash, then resyncs listeners and delivers again after the restart', async () => {
    const logger = logs();
    const name = unique();
    const keyPrefix = `${unique()}:`;
    const broker = await open({ url: own.url, logger, connectionName: name, keyPrefix });
    const seen: BrokerEvent[] = [];
    const trace: string[] = [];
    let resyncs = 0;
    await broker.subscribe('ch', {
      onEvent: (e) => {
        seen.push(e);
        trace.push(e.data);
      },
      onResync: () => {
        resyncs++;
        trace.push('resync');
      },
    });
    const before = await broker.publish('ch', { data: '1' });
    await waitFor(() => seen.length === 1);
    // More channels and listeners: each listener hears of the resync exactly once.
    const others = Array.from({ length: 40 }, () => 0);
    await Promise.all(
      others.flatMap((_, i) => [0, 1].map(() => broker.subscribe(`other-${i}`, { onEvent: () => undefined, onResync: () => others[i]!++ }))),
    );
    const gone = await broker.subscribe('gone', { onEvent: () => undefined, onResync: () => resyncs++ });

    await own.kill();
    await gone.unsubscribe(); // during the outage: must not be revived by the reconnect
    const publish = await timed(broker.publish('ch', { data: '2' }));
    expect(publish.error).toBeInstanceOf(BrokerUnavailableError);
    expect((publish.error as Error).cause).toBeInstanceOf(Error);
    expect(publish.ms).toBeLessThan(3000);
    const history = await timed(broker.history('ch', { limit: 1 }));
    expect(history.error).toBeInstanceOf(BrokerUnavailableError);
    expect(history.ms).toBeLessThan(3000);
    const subscribe = await timed(broker.subscribe('other', { onEvent: () => undefined }));
    expect(subscribe.error).toBeInstanceOf(BrokerUnavailableError);

    await own.restart();
    // Another instance publishes flat out while this one re-subscribes, so messages arrive in
    // the same read as the re-SUBSCRIBE acknowledgement: the listener must still hear of the
    // resync before any of them (resyncing only after the acknowledgement failed 4 runs in 6).
    const other = await open({ url: own.url, keyPrefix });
    let hammering = true;
    const hammer = Promise.all(
      Array.from({ length: 8 }, async () => {
        while (hammering) await other.publish('ch', { data: '"x"' }).catch(() => sleep(5));
      }),
    );
    await waitFor(() => resyncs === 1, 10_000);
    await sleep(20);
    hammering = false;
    await hammer;
    expect(trace.slice(0, 2)).toEqual(['1', 'resync']);
    await eventually(() => broker.ping());
    const after = await broker.publish('ch', { data: '3' });
    await waitFor(() => seen.some((e) => e.position.equals(after.position)));
    expect(seen.at(-1)).toMatchObject({ data: '3' });
    expect(seen.at(-1)!.position.equals(after.position)).toBe(true);
    // The restart lost the stream and its epoch: the old position is not resumable.
    expect((await broker.history('ch', { after: before.position, limit: 10 })).reset).toBe('unknown');
    expect(logger.lines).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/subscriber connection lost/),
        expect.stringMatching(/subscriber connection back/),
      ]),
    );
    expect(resyncs).toBe(1);
    expect(others).toEqual(others.map(() => 2));
    expect((await clients(own.url, `${name}:sub`))[0]).toMatchObject({ sub: '41' });
  });

  it('fails within the timeout while Redis hangs, and recovers when it answers again', async () => {
    const broker = await open({ url: own.url, commandTimeoutMs: 500, healthCheckMs: 200 });
    const seen = recorder();
    let resyncs = 0;
    await broker.subscribe('hang', { onEvent: seen.onEvent, onResync: () => resyncs++ });

    own.pause();
    const publish = await timed(broker.publish('hang', { data: '1' }));
    expect(publish.error).toBeInstanceOf(BrokerUnavailableError);
    expect(publish.ms).toBeGreaterThanOrEqual(450);
    expect(publish.ms).toBeLessThan(1500);
    await sleep(800); // long enough for the health check to give up on the subscriber
    own.resume();

    await waitFor(() => resyncs >= 1, 10_000);
    await eventually(() => broker.ping());
    const { position } = await broker.publish('hang', { data: '2' });
    await waitFor(() => seen.events.some((e) => e.position.equals(position)));
  });

  it('starts while Redis is down, fails fast meanwhile, and works once Redis comes up', async () => {
    const port = own.port;
    await own.stop();
    const logger = logs();
    const started = Date.now();
    const broker = await open({ url: `redis://127.0.0.1:${port}`, logger });
    expect(Date.now() - started).toBeLessThan(7000);
    expect(logger.lines.join('\n')).toMatch(/not ready after/);

    const publish = await timed(broker.publish('c', { data: '1' }));
    expect(publish.error).toBeInstanceOf(BrokerUnavailableError);
    expect(publish.ms).toBeLessThan(500);

    own = await startRedis({ port });
    await eventually(() => broker.ping());
    const seen = recorder();
    await broker.subscribe('c', seen);
    const { position } = await broker.publish('c', { data: '2' });
    await waitFor(() => seen.events.length === 1);
    expect(seen.events[0]!.position.equals(position)).toBe(true);
  }, 20_000);
});
