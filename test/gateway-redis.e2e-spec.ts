import { openStream, post, request, type TestStream } from './support/sse-client.js';
import { startGateway, type TestGateway } from './support/gateway-app.js';
import { startRedis, type RedisServer } from './support/redis-server.js';

// Two gateway instances on one real redis-server: they behave as one.
describe('two gateway instances on one Redis', () => {
  let redis: RedisServer;
  let a: TestGateway;
  let b: TestGateway;
  const streams: TestStream[] = [];
  const open = async (gateway: TestGateway, path: string, headers?: Record<string, string>) => {
    const stream = await openStream(`${gateway.url}${path}`, headers);
    streams.push(stream);
    return stream;
  };
  const publish = async (gateway: TestGateway, channel: string, data: unknown) => {
    const answer = await post(`${gateway.url}/channels/${channel}/events`, { data });
    expect(answer.status).toBe(201);
    return answer.body.id as string;
  };

  beforeAll(async () => {
    redis = await startRedis();
    // Rebalancing off: these tests place streams on purpose.
    const env = { REDIS_URL: redis.url, SSE_KEY_PREFIX: `e2e-${Date.now()}:`, SSE_PUBLISH_TIMEOUT_MS: '1000', SSE_REBALANCE_RATIO: '0' };
    a = await startGateway({ ...env, INSTANCE_ID: 'gw-a' });
    b = await startGateway({ ...env, INSTANCE_ID: 'gw-b' });
  });
  afterEach(() => streams.splice(0).forEach((s) => s.close()));
  afterAll(async () => {
    await Promise.all([a?.close(), b?.close()]);
    await redis?.stop();
  });

  it('delivers an event published on one instance to subscribers of both, with the same id', async () => {
    const onA = await open(a, '/channels/shared/events');
    const onB = await open(b, '/channels/shared/events');
    expect(onA.headers['x-instance-id']).toBe('gw-a');
    expect(onB.headers['x-instance-id']).toBe('gw-b');
    await Promise.all([onA, onB].map((s) => s.waitUntil(() => s.parser.lastEventId !== '')));
    const ids: string[] = [];
    for (let i = 0; i < 20; i++) ids.push(await publish(i % 2 ? a : b, 'shared', i));
    for (const stream of [onA, onB]) {
      const events = await stream.waitForEvents(20);
      expect(events.map((e) => e.lastEventId)).toEqual(ids);
      expect(events.map((e) => Number(e.data))).toEqual([...Array(20).keys()]);
    }
  });

  it('gives a client that reconnects to the other instance exactly what it missed', async () => {
    const first = await open(a, '/channels/move/events');
    await first.waitUntil(() => first.parser.lastEventId !== '');
    const seen = [await publish(a, 'move', 'one'), await publish(b, 'move', 'two')];
    await first.waitForEvents(2);
    const position = first.parser.lastEventId;
    expect(position).toBe(seen[1]);
    first.close();
    const missed = [await publish(a, 'move', 'three'), await publish(b, 'move', 'four'), await publish(a, 'move', 'five')];
    const second = await open(b, '/channels/move/events', { 'last-event-id': position });
    const replayed = await second.waitForEvents(3);
    expect(replayed.map((e) => e.lastEventId)).toEqual(missed);
    const live = await publish(a, 'move', 'six');
    const all = await second.waitForEvents(4);
    expect(all.map((e) => JSON.parse(e.data))).toEqual(['three', 'four', 'five', 'six']);
    expect(all[3]!.lastEventId).toBe(live);
    await new Promise((r) => setTimeout(r, 100));
    expect(second.parser.events).toHaveLength(4);
  });

  it('resumes a several-channel stream on the other instance', async () => {
    const first = await open(a, '/events?channel=m1&channel=m2');
    await first.waitUntil(() => first.parser.lastEventId !== '');
    await publish(b, 'm1', 'x');
    await first.waitForEvents(1);
    const token = first.parser.lastEventId;
    first.close();
    await publish(a, 'm2', 'y');
    const second = await open(b, '/events?channel=m1&channel=m2', { 'last-event-id': token });
    const [event] = await second.waitForEvents(1);
    expect(JSON.parse(event!.data)).toEqual({ channel: 'm2', data: 'y' });
  });

  it('answers sync and history alike on both instances', async () => {
    const head = await publish(a, 'snapshot', { v: 1 });
    for (const gateway of [a, b]) {
      const sync = await post(`${gateway.url}/sync`, { channel: 'snapshot' });
      expect(sync.body.lastEventId).toBe(head);
      const history = await request('GET', `${gateway.url}/channels/snapshot/events`, { headers: { accept: 'application/json' } });
      expect(history.body.head).toBe(head);
      expect(history.body.events.map((e: { data: unknown }) => e.data)).toEqual([{ v: 1 }]);
    }
  });

  it('refuses publishes with 503 within a few seconds while Redis is down, and recovers', async () => {
    const stream = await open(b, '/channels/outage/events');
    await stream.waitUntil(() => stream.parser.lastEventId !== '');
    const before = await publish(a, 'outage', 'before');
    await stream.waitForEvents(1);
    await redis.kill();
    try {
      const started = Date.now();
      const refused = await post(`${a.url}/channels/outage/events`, { data: 'during' });
      expect(refused.status).toBe(503);
      expect(refused.body).toEqual({ statusCode: 503, error: 'Service Unavailable', message: expect.stringMatching(/could not be confirmed/) });
      expect(Date.now() - started).toBeLessThan(3500);
      const health = await request('GET', `${a.url}/health`);
      expect(health.status).toBe(503);
    } finally {
      await redis.restart();
    }
    // Both instances reconnect on their own; publishing works again.
    let after: string | undefined;
    const deadline = Date.now() + 15_000;
    while (!after && Date.now() < deadline) {
      const answer = await post(`${a.url}/channels/outage/events`, { data: 'after' });
      if (answer.status === 201) after = answer.body.id;
      else await new Promise((r) => setTimeout(r, 200));
    }
    expect(after).toBeDefined();
    // The restarted Redis kept nothing (no persistence here): the live subscriber is told so
    // with a reset rather than left guessing, then gets the new event.
    const events = await stream.waitForEvents(3, 15_000);
    expect(events[0]!.lastEventId).toBe(before);
    expect(events[1]).toMatchObject({ type: 'reset' });
    expect(JSON.parse(events[1]!.data).reason).toBe('unknown');
    expect(events[2]).toEqual({ type: 'message', data: '"after"', lastEventId: after });
  });
});
