import type { Subscription } from 'rxjs';
import { LocalTransport, SseClient, type ChannelEvent, type ConnectionState } from '../src/client/index.js';
import { startGatewayProcess, type GatewayProcess } from './support/gateway-process.js';
import { startNginx, type Nginx } from './support/nginx.js';
import { eventually } from './support/ports.js';
import { startRedis, type RedisServer } from './support/redis-server.js';
import { openStream, post, request, type TestStream } from './support/sse-client.js';

type Counter = { 'tick': { n: number }; 'tock': string };

/** What a subscriber saw: every event and every state, in order. */
function record<M extends Record<string, unknown>>(client: SseClient, channels: string | string[]) {
  const channel = client.channel<M>(channels);
  const events: ChannelEvent<M>[] = [];
  const states: ConnectionState[] = [];
  const subs: Subscription[] = [channel.events$.subscribe((e) => events.push(e)), channel.state$.subscribe((s) => states.push(s))];
  return { events, states, state: () => states[states.length - 1]!, stop: () => subs.forEach((s) => s.unsubscribe()) };
}

const openCount = async (gateways: GatewayProcess[]) => {
  let sum = 0;
  for (const gateway of gateways) {
    if (gateway.child.exitCode !== null || gateway.child.signalCode !== null) continue;
    sum += (await request<{ connections: { open: number } }>('GET', `${gateway.url}/health`)).body.connections.open;
  }
  return sum;
};

// The framework-free client, run in Node (fetch is global) against real gateway processes,
// a real redis-server and the shipped nginx configuration.
describe('SseClient against real gateways', () => {
  let redis: RedisServer;
  let a: GatewayProcess;
  let b: GatewayProcess;
  let nginx: Nginx;
  const clients: SseClient[] = [];
  const newClient = (baseUrl: string) => {
    const client = new SseClient({ baseUrl, backoff: { initialMs: 100, maxMs: 1000 }, lingerMs: 0 });
    clients.push(client);
    return client;
  };
  const publish = async (url: string, channel: string, data: unknown, event?: string) => {
    const answer = await post(`${url}/channels/${channel}/events`, event ? { data, event } : { data });
    expect(answer.status).toBe(201);
    return answer.body.id as string;
  };

  beforeAll(async () => {
    redis = await startRedis();
    const env = { REDIS_URL: redis.url, SSE_KEY_PREFIX: `client-${Date.now()}:`, SSE_RETRY_MS: '200', SSE_DRAIN_MS: '200' };
    [a, b] = await Promise.all([startGatewayProcess({ ...env }), startGatewayProcess({ ...env })]);
    nginx = await startNginx({ upstreams: [`127.0.0.1:${a.port}`, `127.0.0.1:${b.port}`] });
  }, 60_000);
  afterEach(() => clients.splice(0).forEach((c) => c.close()));
  afterAll(async () => {
    await nginx?.stop();
    await Promise.all([a?.stop(), b?.stop()]);
    await redis?.stop();
  });

  it('streams typed events with their ids, in order, and says which instance serves it', async () => {
    const seen = record<Counter>(newClient(a.url), 'typed');
    await eventually(() => seen.state().status === 'open', 10_000, 'open');
    expect(seen.state()).toMatchObject({ status: 'open', instance: a.instanceId, attempt: 0, error: null });
    const ids = [await publish(b.url, 'typed', { n: 1 }, 'tick'), await publish(a.url, 'typed', 'two', 'tock')];
    await eventually(() => seen.events.length === 2, 10_000, '2 events');
    expect(seen.events).toEqual([
      { channel: 'typed', event: 'tick', id: ids[0], data: { n: 1 } },
      { channel: 'typed', event: 'tock', id: ids[1], data: 'two' },
    ]);
    seen.stop();
  });

  it('carries several channels on one connection and tells each event its channel', async () => {
    const client = newClient(a.url);
    const before = await openCount([a, b]);
    const seen = record(client, ['multi-x', 'multi-y']);
    await eventually(() => seen.state().status === 'open', 10_000, 'open');
    expect(await openCount([a, b])).toBe(before + 1);
    await publish(a.url, 'multi-y', 'y1');
    await publish(b.url, 'multi-x', { x: 1 }, 'made');
    await eventually(() => seen.events.length === 2, 10_000, '2 events');
    expect(seen.events.map((e) => [e.channel, e.event, e.data])).toEqual([
      ['multi-y', 'message', 'y1'],
      ['multi-x', 'made', { x: 1 }],
    ]);
    // Composite tokens: opaque, one per event, different each time.
    expect(new Set(seen.events.map((e) => e.id)).size).toBe(2);
    seen.stop();
  });

  it('sync: streams on from exactly the snapshot position', async () => {
    await publish(a.url, 'snap', 'old-1');
    const head = await publish(a.url, 'snap', 'old-2');
    const client = newClient(b.url);
    const channel = await client.sync('snap');
    expect(channel.position).toEqual({ channels: ['snap'], lastEventId: head, url: `/channels/snap/events?lastEventId=${encodeURIComponent(head)}` });
    const after = [await publish(a.url, 'snap', 'new-1'), await publish(b.url, 'snap', 'new-2')];
    const events: unknown[] = [];
    const sub = channel.events$.subscribe((e) => events.push([e.id, e.data]));
    await eventually(() => events.length === 2, 10_000, '2 events');
    expect(events).toEqual([
      [after[0], 'new-1'],
      [after[1], 'new-2'],
    ]);
    sub.unsubscribe();
  });

  it('closes its connection when the last subscriber unsubscribes', async () => {
    const client = newClient(a.url);
    const base = await openCount([a]);
    const first = record(client, 'leak');
    const second = record(client, 'leak');
    await eventually(() => first.state().status === 'open' && second.state().status === 'open', 10_000, 'open');
    expect(await openCount([a])).toBe(base + 1); // two subscribers, one stream
    first.stop();
    await new Promise((r) => setTimeout(r, 300));
    expect(await openCount([a])).toBe(base + 1);
    second.stop();
    await eventually(async () => (await openCount([a])) === base, 10_000, 'stream closed');
  });

  it('stops, saying why, when the gateway refuses the channels for good (400)', async () => {
    const seen = record(newClient(a.url), 'no spaces allowed');
    await eventually(() => seen.state().status === 'closed', 10_000, 'closed');
    expect(seen.state().error).toMatch(/^HTTP 400: .*channel/);
    expect(seen.states.map((s) => s.status)).toEqual(['connecting', 'closed']);
    seen.stop();
  });

  it('a hub shares a stream with a subscriber starting exactly where it stands, and only then', async () => {
    const hub = new LocalTransport({ lingerMs: 0 });
    try {
      const base = await openCount([b]);
      const positions: string[] = [];
      const events: string[] = [];
      const first = hub.subscribe({ baseUrl: b.url, channels: ['handover'] }, (m) => {
        if (m.kind === 'position') positions.push(m.url);
        if (m.kind === 'event') events.push(m.event.id);
      });
      await eventually(() => positions.length > 0, 10_000, 'a position');
      await eventually(async () => (await openCount([b])) === base + 1, 10_000, 'one stream');
      // Where the first stands: joins it. An older position: a stream of its own.
      const joined: string[] = [];
      const second = hub.subscribe({ baseUrl: b.url, channels: ['handover'], startUrl: positions[positions.length - 1] }, (m) => {
        if (m.kind === 'event') joined.push(m.event.id);
      });
      const old = await publish(b.url, 'handover', 'x');
      await eventually(() => joined.length === 1 && events.length === 1, 10_000, 'the event on both');
      expect(await openCount([b])).toBe(base + 1);
      const behind: string[] = [];
      const third = hub.subscribe({ baseUrl: b.url, channels: ['handover'], startUrl: positions[positions.length - 1] }, (m) => {
        if (m.kind === 'event') behind.push(m.event.id);
      });
      await eventually(() => behind.length === 1, 10_000, 'replay for the one behind');
      expect(behind).toEqual([old]);
      expect(await openCount([b])).toBe(base + 2);
      [first, second, third].forEach((unsubscribe) => unsubscribe());
      await eventually(async () => (await openCount([b])) === base, 10_000, 'closed');
    } finally {
      hub.close();
    }
  });

  it('reopens itself after a 503 with the last position, so events published meanwhile arrive', async () => {
    // A third instance that takes one stream only; a plain HTTP stream fills it.
    const small = await startGatewayProcess({ REDIS_URL: redis.url, SSE_KEY_PREFIX: `client-full-${Date.now()}:`, SSE_MAX_CONNECTIONS: '1', SSE_RETRY_MS: '200' });
    let filler: TestStream | undefined;
    try {
      filler = await openStream(`${small.url}/channels/other/events`);
      expect(filler.status).toBe(200);
      const full = await request('GET', `${small.url}/channels/refused/events`, { headers: { accept: 'text/event-stream' } });
      expect(full.status).toBe(503);
      const seen = record(newClient(small.url), 'refused');
      await eventually(() => seen.states.some((s) => s.status === 'reconnecting' && s.error === 'HTTP 503' && s.attempt >= 1), 10_000, 'refused');
      // Published while the client is refused: it must get them once it is let in.
      const ids = [await publish(small.url, 'refused', 1), await publish(small.url, 'refused', 2)];
      expect(seen.events).toEqual([]);
      filler.close();
      await eventually(() => seen.events.length >= 2, 15_000, 'events after the 503');
      const last = await publish(small.url, 'refused', 3);
      await eventually(() => seen.events.length >= 3, 10_000, 'live event');
      expect(seen.events.map((e) => [e.id, e.data])).toEqual([
        [ids[0], 1],
        [ids[1], 2],
        [last, 3],
      ]);
      expect(seen.state()).toMatchObject({ status: 'open', instance: small.instanceId, attempt: 0 });
      seen.stop();
    } finally {
      filler?.close();
      await small.stop();
    }
  }, 60_000);

  it('through nginx: the serving instance is killed, the client moves and ends with every event once, in order', async () => {
    const seen = record(newClient(nginx.url), 'failover');
    await eventually(() => seen.state().status === 'open', 10_000, 'open');
    const victim = seen.state().instance === a.instanceId ? a : b;
    const survivor = victim === a ? b : a;
    expect([a.instanceId, b.instanceId]).toContain(seen.state().instance);
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push(await publish(survivor.url, 'failover', i));
    await eventually(() => seen.events.length === 5, 10_000, 'first 5');
    await victim.kill();
    // Published while the client is cut off and looking for another instance.
    for (let i = 5; i < 10; i++) ids.push(await publish(survivor.url, 'failover', i));
    await eventually(() => seen.events.length >= 10 && seen.state().status === 'open', 20_000, 'all 10 after the kill');
    for (let i = 10; i < 12; i++) ids.push(await publish(survivor.url, 'failover', i));
    await eventually(() => seen.events.length >= 12, 10_000, 'live after the move');
    await new Promise((r) => setTimeout(r, 300));
    expect(seen.events.map((e) => e.id)).toEqual(ids);
    expect(seen.events.map((e) => e.data)).toEqual([...Array(12).keys()]);
    expect(seen.state().instance).toBe(survivor.instanceId);
    expect(seen.states.some((s) => s.status === 'reconnecting')).toBe(true);
    seen.stop();
  }, 60_000);
});
