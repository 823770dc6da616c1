import 'reflect-metadata';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Module, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ClientProxyFactory, Transport, type ClientProxy } from '@nestjs/microservices';
import { Redis } from 'ioredis';
import { lastValueFrom } from 'rxjs';
import { SseHub, SseModule, SSE_PUBLISH_PATTERN, SsePublishSerializer, connectSseTransport, sseTransportOptions } from '../src/sse/index.js';
import { SseTransportStats } from '../src/sse/internals.js';
import { startGatewayProcess, type GatewayProcess } from './support/gateway-process.js';
import { eventually, sleep } from './support/ports.js';
import { startRedisCluster, type RedisCluster } from './support/redis-cluster.js';
import { startRedis, type RedisServer } from './support/redis-server.js';
import { openStream, request, type TestStream } from './support/sse-client.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const PUBLISHER = path.join(ROOT, 'test/fixtures/sse-publisher.mjs');
const MAX_EVENT_BYTES = 4096;

/** Runs the publisher fixture (a separate process, Nest's Redis ClientProxy) and waits for it. */
function runPublisher(url: string, messages: readonly unknown[], options: { serializer?: boolean } = {}): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [PUBLISHER], {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH,
        NO_COLOR: '1',
        SSE_PUBLISHER_REDIS: url,
        SSE_PUBLISHER_MESSAGES: JSON.stringify(messages),
        ...(options.serializer === false ? { SSE_PUBLISHER_SERIALIZER: 'off' } : {}),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.once('error', reject);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

async function history(gateway: { url: string }, channel: string): Promise<Array<{ id: string; event: string; data: unknown }>> {
  const answer = await request('GET', `${gateway.url}/channels/${channel}/events?limit=1000`, { headers: { accept: 'application/json' } });
  expect(answer.status).toBe(200);
  return answer.body.events;
}

/** Subscribers of `sse.publish` on that Redis: one per consuming instance. */
async function consumers(url: string): Promise<number> {
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0 });
  try {
    await client.connect();
    const [, count] = (await client.pubsub('NUMSUB', SSE_PUBLISH_PATTERN)) as [string, number];
    return Number(count);
  } finally {
    client.disconnect();
  }
}

/** How many log lines of `output` reject a message for `reason`. */
function rejections(output: string, reason: string): number {
  return output.split('\n').filter((line) => line.includes(`sse.publish message rejected (${reason})`)).length;
}

describe('publishing from other services: two gateway processes on one Redis', () => {
  let redis: RedisServer;
  let raw: Redis;
  let a: GatewayProcess;
  let b: GatewayProcess;
  const streams: TestStream[] = [];
  const prefix = `e2e-transport-${Date.now()}:`;

  beforeAll(async () => {
    redis = await startRedis();
    raw = new Redis(redis.url);
    // Rebalancing off: the streams stay where the test opens them.
    const env = { REDIS_URL: redis.url, SSE_KEY_PREFIX: prefix, SSE_REBALANCE_RATIO: '0', SSE_MAX_EVENT_BYTES: String(MAX_EVENT_BYTES) };
    [a, b] = await Promise.all([startGatewayProcess({ ...env, INSTANCE_ID: 'gw-a' }), startGatewayProcess({ ...env, INSTANCE_ID: 'gw-b' })]);
    // `listening on` comes after the subscription; this only makes a failure say what is missing.
    await eventually(async () => (await consumers(redis.url)) === 2, 5000, 'both gateways subscribed to sse.publish');
  }, 60_000);
  afterEach(() => streams.splice(0).forEach((s) => s.close()));
  afterAll(async () => {
    raw?.disconnect();
    await Promise.all([a?.stop(), b?.stop()]);
    await redis?.stop();
  });

  it('stores each of 200 emits once: every subscriber on either instance gets each event once, in order, and history holds 200', async () => {
    for (const gateway of [a, b]) streams.push(await openStream(`${gateway.url}/channels/orders/events`));
    await Promise.all(streams.map((s) => s.waitUntil(() => s.parser.lastEventId !== '')));
    const messages = Array.from({ length: 200 }, (_, n) => ({ channel: 'orders', event: 'order.created', data: { n } }));

    const run = await runPublisher(redis.url, messages);
    expect(run.code).toBe(0);
    expect(run.output).toContain('emitted 200');

    const stored = await eventually(async () => {
      const events = await history(a, 'orders');
      return events.length >= 200 ? events : undefined;
    }, 10_000, '200 stored events');
    await sleep(300); // anything stored twice would show up by now
    expect(await history(b, 'orders')).toEqual(await history(a, 'orders'));
    expect(await history(a, 'orders')).toHaveLength(200);
    expect(stored.map((e) => (e.data as { n: number }).n)).toEqual([...Array(200).keys()]);
    expect(new Set(stored.map((e) => e.id)).size).toBe(200);

    for (const stream of streams) {
      await stream.waitForEvents(200, 10_000);
      expect(stream.parser.events).toHaveLength(200);
      expect(stream.parser.events.map((e) => e.type)).toEqual(Array(200).fill('order.created'));
      expect(stream.parser.events.map((e) => JSON.parse(e.data).n)).toEqual([...Array(200).keys()]);
      expect(stream.parser.events.map((e) => e.lastEventId)).toEqual(stored.map((e) => e.id));
    }
    expect(await raw.xlen(`${prefix}{orders}:stream`)).toBe(200);
  }, 60_000);

  it('rejects every kind of bad message with its reason in the log, and keeps consuming', async () => {
    const bad = [
      'just text',
      [1, 2],
      { channel: 'bad channel!', data: 1 },
      { channel: 'after-bad' },
      { channel: 'after-bad', event: 'reset', data: 1 },
      { channel: 'after-bad', event: 'sse.connected', data: 1 },
      { channel: 'after-bad', event: 'two\nlines', data: 1 },
      { channel: 'after-bad', data: 'x'.repeat(MAX_EVENT_BYTES) }, // the JSON quotes make it 2 bytes too many
      { channel: 'after-bad', data: 1, idempotencyKey: 'has space' },
      { channel: 'after-bad', data: 1, idempotencyKey: 42 },
      { channel: 'after-bad', data: 1, evnt: 'typo' },
    ];
    // What Nest's ClientProxy never sends: not JSON, a packet without data, a message too long to read.
    await raw.publish(SSE_PUBLISH_PATTERN, 'not json at all');
    await raw.publish(SSE_PUBLISH_PATTERN, JSON.stringify({ pattern: SSE_PUBLISH_PATTERN }));
    await raw.publish(SSE_PUBLISH_PATTERN, JSON.stringify({ pattern: SSE_PUBLISH_PATTERN, data: { channel: 'after-bad', data: 'y'.repeat(MAX_EVENT_BYTES * 5), idempotencyKey: 'k-huge' } }));
    // The sender's bad messages, then a good one after them.
    expect((await runPublisher(redis.url, [...bad, { channel: 'after-bad', event: 'ok', data: { fine: true } }])).code).toBe(0);

    const expected = {
      'not-an-object': 4,
      'invalid-channel': 1,
      'missing-data': 1,
      'reserved-event': 2,
      'invalid-event': 1,
      'too-large': 2,
      'invalid-key': 2,
      'unknown-field': 1,
    };
    for (const gateway of [a, b]) {
      await eventually(() => rejections(gateway.output(), 'unknown-field') === 1 && rejections(gateway.output(), 'too-large') === 2, 5000, `${gateway.instanceId} logged the rejections`);
      for (const [reason, count] of Object.entries(expected)) expect([reason, rejections(gateway.output(), reason)]).toEqual([reason, count]);
      const output = gateway.output();
      expect(output).toContain('rejected (invalid-channel): channel name "bad channel!" is invalid');
      expect(output).toContain('rejected (reserved-event) for channel after-bad: event type "sse.connected" is reserved');
      expect(output).toContain('rejected (too-large): the message is');
      expect(output).toContain(`rejected (too-large) for channel after-bad: the event is ${MAX_EVENT_BYTES + 2} bytes; at most ${MAX_EVENT_BYTES} are accepted`);
      expect(output).toContain('rejected (unknown-field): unknown field "evnt"');
      expect(output).toContain('rejected (not-an-object): the message must be an object {channel, event?, data, idempotencyKey?}, got a string');
      expect(output).not.toMatch(/ERROR/);
      expect(gateway.child.exitCode).toBeNull();
    }
    const stored = await eventually(async () => {
      const events = await history(a, 'after-bad');
      return events.length > 0 ? events : undefined;
    }, 5000, 'the good message stored');
    await sleep(200);
    expect((await history(b, 'after-bad')).map((e) => [e.event, e.data])).toEqual([['ok', { fine: true }]]);
    expect(stored).toHaveLength(1);
  }, 60_000);

  it('rejects a message without a key on every instance, and stores one whose sender set the key, once, retry included', async () => {
    // A sender without SsePublishSerializer: one message without a key, one with its own key, sent twice (a retry).
    const keyed = { channel: 'unkeyed', data: 2, idempotencyKey: 'order-7-created' };
    expect((await runPublisher(redis.url, [{ channel: 'unkeyed', data: 1 }, keyed, keyed], { serializer: false })).code).toBe(0);
    for (const gateway of [a, b]) {
      await eventually(() => rejections(gateway.output(), 'missing-key') === 1, 5000, `${gateway.instanceId} rejected the unkeyed message`);
      expect(gateway.output()).toContain('rejected (missing-key) for channel unkeyed: no idempotencyKey');
    }
    await eventually(async () => (await history(a, 'unkeyed')).length > 0, 5000, 'the keyed message stored');
    await sleep(200);
    expect((await history(b, 'unkeyed')).map((e) => e.data)).toEqual([2]);
  }, 60_000);

  it('stops cleanly on SIGTERM, the transport included, having logged no error', async () => {
    expect(await Promise.all([a.stop(), b.stop()])).toEqual([0, 0]);
    for (const gateway of [a, b]) expect(gateway.output()).not.toMatch(/ERROR|FATAL/);
  }, 30_000);
});

describe("publishing from other services: a team's own hybrid app", () => {
  const apps: INestApplication[] = [];
  const clients: ClientProxy[] = [];
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
    await Promise.all(apps.splice(0).map((app) => app.close()));
  });

  async function teamApp(options: Parameters<typeof SseModule.forRoot>[0]): Promise<INestApplication> {
    @Module({ imports: [SseModule.forRoot(options)] })
    class TeamModule {}
    const app = await NestFactory.create(TeamModule, { logger: false });
    apps.push(app);
    return app;
  }

  function sender(url: string): ClientProxy {
    const client = ClientProxyFactory.create({
      transport: Transport.REDIS,
      options: { ...sseTransportOptions(url).options, serializer: new SsePublishSerializer() },
    });
    clients.push(client);
    return client;
  }

  it('counts what it consumed, stored and rejected, by reason', async () => {
    const redis = await startRedis();
    try {
      const app = await teamApp({ redis: redis.url, keyPrefix: `team-${Date.now()}:`, transport: true, maxEventBytes: 100 });
      connectSseTransport(app);
      await app.startAllMicroservices();
      await app.init();
      const client = sender(redis.url);
      const emit = (message: unknown) => lastValueFrom(client.emit(SSE_PUBLISH_PATTERN, message), { defaultValue: undefined });
      for (let n = 0; n < 3; n++) await emit({ channel: 'team', data: { n } });
      await emit({ channel: 'team', data: 3, idempotencyKey: 'once' });
      await emit({ channel: 'team', data: 3, idempotencyKey: 'once' });
      await emit({ channel: 'team', data: 'z'.repeat(200) });
      await emit({ channel: 'team', event: 'error', data: 1 });
      await emit(17);
      const stats = app.get(SseTransportStats);
      await eventually(() => stats.received === 8 && stats.pending === 0, 5000, 'eight messages handled');
      expect(stats.snapshot()).toEqual({
        received: 8,
        consumed: 5,
        stored: 4,
        duplicates: 1,
        rejected: {
          'not-an-object': 1,
          'unknown-field': 0,
          'invalid-channel': 0,
          'missing-data': 0,
          'invalid-event': 0,
          'reserved-event': 1,
          'too-large': 1,
          'invalid-data': 0,
          'missing-key': 0,
          'invalid-key': 0,
          unreadable: 0,
        },
        failed: { unavailable: 0, 'backlog-full': 0 },
        pending: 0,
      });
      const page = await app.get(SseHub).history('team', { limit: 10 });
      expect(page.events.map((e) => e.data)).toEqual(['{"n":0}', '{"n":1}', '{"n":2}', '3']);
    } finally {
      await redis.stop();
    }
  }, 30_000);

  it('starts while Redis is down, and consumes once Redis is back, and again after Redis restarts', async () => {
    const redis = await startRedis();
    try {
      const app = await teamApp({ redis: redis.url, keyPrefix: `team-down-${Date.now()}:`, transport: true, publishTimeoutMs: 500 });
      await app.init();
      await redis.kill();
      connectSseTransport(app);
      const started = Date.now();
      await app.startAllMicroservices(); // Nest's own Redis transport would fail here for good
      expect(Date.now() - started).toBeLessThan(4000);
      expect(await consumers(redis.url).catch(() => -1)).toBe(-1);

      await redis.restart();
      await eventually(async () => (await consumers(redis.url)) === 1, 8000, 'subscribed once Redis is back');
      // The broker's command connection comes back on its own backoff, up to 2 s after the
      // transport's subscriber: a message consumed before then is counted as not stored
      // (unavailable), as the second half below shows by emitting until one is stored.
      const hub = app.get(SseHub);
      await eventually(async () => (await hub.history('back', { limit: 1 })).events.length === 0, 8000, 'the broker back too');
      const client = sender(redis.url);
      await lastValueFrom(client.emit(SSE_PUBLISH_PATTERN, { channel: 'back', data: 'first' }), { defaultValue: undefined });
      await eventually(async () => (await hub.history('back', { limit: 10 })).events.length === 1, 8000, 'stored after Redis came back');

      await redis.restart(); // every key gone, every connection cut
      await eventually(async () => (await consumers(redis.url)) === 1, 8000, 'subscribed again after the restart');
      await eventually(async () => {
        await lastValueFrom(client.emit(SSE_PUBLISH_PATTERN, { channel: 'back', data: 'second' }), { defaultValue: undefined });
        return (await hub.history('back', { limit: 10 })).events.some((e) => e.data === '"second"');
      }, 8000, 'stored after the restart');
    } finally {
      await redis.stop();
    }
  }, 40_000);

  it('says what is missing: the transport not registered, or no Redis to consume from', async () => {
    const without = await teamApp({});
    expect(() => connectSseTransport(without)).toThrow(/needs SseModule\.forRoot\(\{ transport: true \}\)/);
    const memory = await teamApp({ transport: true });
    expect(() => connectSseTransport(memory)).toThrow(/needs a Redis URL/);
  });
});

describe('publishing from other services: a Redis Cluster', () => {
  let cluster: RedisCluster;
  let gateway: GatewayProcess;

  beforeAll(async () => {
    cluster = await startRedisCluster({ masters: 3 });
    // One seed: the transport listens on node 0; the sender below publishes on node 2.
    gateway = await startGatewayProcess({ REDIS_URL: `redis+cluster://127.0.0.1:${cluster.nodes[0]!.port}`, SSE_REBALANCE_RATIO: '0' });
  }, 60_000);
  afterAll(async () => {
    await gateway?.stop();
    await cluster?.stop();
  });

  it('hears a message published on another node (the cluster forwards plain PUBLISH) and stores it once per channel, wherever its slot is', async () => {
    await eventually(async () => (await consumers(`redis://127.0.0.1:${cluster.nodes[0]!.port}`)) === 1, 5000, 'the gateway subscribed on node 0');
    const channels = ['c-a', 'c-b', 'c-c', 'c-d', 'c-e'];
    const messages = channels.flatMap((channel) => [0, 1, 2].map((n) => ({ channel, data: n })));
    expect((await runPublisher(`redis://127.0.0.1:${cluster.nodes[2]!.port}`, messages)).code).toBe(0);
    for (const channel of channels) {
      await eventually(async () => (await history(gateway, channel)).length === 3, 5000, `three events on ${channel}`);
      expect((await history(gateway, channel)).map((e) => e.data)).toEqual([0, 1, 2]);
    }
  }, 30_000);
});
