import { openStream, post, request, type TestStream } from './support/sse-client.js';
import { startGateway, type TestGateway } from './support/gateway-app.js';

// The single-channel stream and publishing, on the in-memory broker.
describe('GET /channels/:channel/events (event stream)', () => {
  let gateway: TestGateway;
  const streams: TestStream[] = [];
  const open = async (path: string, headers?: Record<string, string>) => {
    const stream = await openStream(`${gateway.url}${path}`, headers);
    streams.push(stream);
    return stream;
  };
  const publish = async (channel: string, body: unknown, headers?: Record<string, string>) => {
    const answer = await post(`${gateway.url}/channels/${channel}/events`, body, headers);
    expect(answer.status).toBe(201);
    return answer.body.id as string;
  };

  beforeAll(async () => {
    gateway = await startGateway({ SSE_HEARTBEAT_MS: '300', SSE_RETRY_MS: '2500', INSTANCE_ID: 'gw-test' });
  });
  afterEach(() => streams.splice(0).forEach((s) => s.close()));
  afterAll(() => gateway.close());

  it('answers with the stream headers and sends retry first, then the start position', async () => {
    const stream = await open('/channels/orders/events');
    expect(stream.status).toBe(200);
    expect(stream.headers['content-type']).toBe('text/event-stream');
    expect(stream.headers['cache-control']).toBe('no-cache, no-transform');
    expect(stream.headers['x-accel-buffering']).toBe('no');
    expect(stream.headers['x-instance-id']).toBe('gw-test');
    await stream.waitUntil(() => stream.parser.lastEventId !== '', 2000, 'start position');
    // The start position travels on a frame with data, which every parser keeps (some drop an id-only frame's id).
    expect(stream.text()).toMatch(/^retry: 2500\n\nid: 0-0\.[0-9a-z]+\nevent: sse\.connected\ndata: \{"instance":"gw-test"\}\n\n$/);
    expect(stream.parser.setAside).toEqual([{ type: 'sse.connected', data: '{"instance":"gw-test"}', lastEventId: stream.parser.lastEventId }]);
    expect(stream.parser.events).toEqual([]);
  });

  it('delivers a published event as one exact frame with the id the publish answered', async () => {
    const stream = await open('/channels/frames/events');
    await stream.waitUntil(() => stream.parser.lastEventId !== '');
    const answer = await post(`${gateway.url}/channels/frames/events`, { event: 'order.created', data: { n: 1, text: 'a\nb' } });
    expect(answer.status).toBe(201);
    expect(answer.body).toEqual({ id: expect.any(String), channel: 'frames' });
    const [event] = await stream.waitForEvents(1);
    expect(event).toEqual({ type: 'order.created', data: '{"n":1,"text":"a\\nb"}', lastEventId: answer.body.id });
    expect(stream.text()).toContain(`id: ${answer.body.id}\nevent: order.created\ndata: {"n":1,"text":"a\\nb"}\n\n`);
  });

  it('delivers every event once, in publish order, to every subscriber', async () => {
    const a = await open('/channels/fan/events');
    const b = await open('/channels/fan/events');
    await Promise.all([a, b].map((s) => s.waitUntil(() => s.parser.lastEventId !== '')));
    const ids: string[] = [];
    for (let i = 0; i < 50; i++) ids.push(await publish('fan', { data: i }));
    for (const stream of [a, b]) {
      const events = await stream.waitForEvents(50);
      expect(events.map((e) => e.lastEventId)).toEqual(ids);
      expect(events.map((e) => Number(e.data))).toEqual([...Array(50).keys()]);
    }
  });

  it('replays exactly what a client missed after Last-Event-ID, then goes live', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 6; i++) ids.push(await publish('replay', { data: `e${i}` }));
    const stream = await open('/channels/replay/events', { 'last-event-id': ids[2]! });
    const replayed = await stream.waitForEvents(3);
    expect(replayed.map((e) => e.lastEventId)).toEqual(ids.slice(3));
    const live = await publish('replay', { data: 'live' });
    const events = await stream.waitForEvents(4);
    expect(events[3]).toEqual({ type: 'message', data: '"live"', lastEventId: live });
    expect(stream.text().startsWith('retry: 2500\n\n')).toBe(true);
  });

  it('takes the position from ?lastEventId=, and the header over the query when both come', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) ids.push(await publish('positions', { data: i }));
    const byQuery = await open(`/channels/positions/events?lastEventId=${encodeURIComponent(ids[1]!)}`);
    expect((await byQuery.waitForEvents(2)).map((e) => e.lastEventId)).toEqual(ids.slice(2));
    const both = await open(`/channels/positions/events?lastEventId=${encodeURIComponent(ids[0]!)}`, { 'last-event-id': ids[2]! });
    expect((await both.waitForEvents(1)).map((e) => e.lastEventId)).toEqual([ids[3]]);
    await new Promise((r) => setTimeout(r, 100));
    expect(both.parser.events).toHaveLength(1);
  });

  it('hands over from replay to live with no gap and no duplicate while events keep coming', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 10; i++) ids.push(await publish('handover', { data: i }));
    let publishing = true;
    const background = (async () => {
      for (let i = 10; publishing && i < 400; i++) ids.push(await publish('handover', { data: i }));
    })();
    await new Promise((r) => setTimeout(r, 20));
    const stream = await open('/channels/handover/events', { 'last-event-id': ids[4]! });
    await new Promise((r) => setTimeout(r, 150));
    publishing = false;
    await background;
    const expected = ids.slice(5);
    const events = await stream.waitForEvents(expected.length);
    await new Promise((r) => setTimeout(r, 100));
    expect(stream.parser.events.map((e) => e.lastEventId)).toEqual(expected);
    expect(events.map((e) => Number(e.data))).toEqual(expected.map((_, i) => i + 5));
  });

  it('says reset (trimmed) before going live when the position is older than the history', async () => {
    const small = await startGateway({ SSE_HISTORY_LIMIT: '20' });
    try {
      const send = async (data: unknown) => (await post(`${small.url}/channels/trim/events`, { data })).body.id as string;
      const first = await send(0);
      let head = first;
      for (let i = 1; i < 30; i++) head = await send(i);
      const stream = await openStream(`${small.url}/channels/trim/events`, { 'last-event-id': first });
      streams.push(stream);
      const [reset] = await stream.waitForEvents(1);
      expect(reset).toEqual({ type: 'reset', data: JSON.stringify({ reason: 'trimmed', head }), lastEventId: head });
      const live = await send('after');
      const events = await stream.waitForEvents(2);
      expect(events[1]!.lastEventId).toBe(live);
      expect(stream.parser.events).toHaveLength(2);
      // Just inside the kept history: a plain replay, no reset.
      const kept = await request('GET', `${small.url}/channels/trim/events?limit=1000`, { headers: { accept: 'application/json' } });
      const oldest = kept.body.events[0].id as string;
      const inside = await openStream(`${small.url}/channels/trim/events`, { 'last-event-id': oldest });
      streams.push(inside);
      const replayed = await inside.waitForEvents(kept.body.events.length - 1);
      expect(replayed.every((e) => e.type === 'message')).toBe(true);
    } finally {
      streams.splice(0).forEach((s) => s.close());
      await small.close();
    }
  });

  it('says reset (unknown) for a position that is no position, never 400, and goes live from the head', async () => {
    const head = await publish('unknown-pos', { data: 1 });
    for (const bogus of ['garbage', '1.other', '01-0.abc', 'x'.repeat(300)]) {
      const stream = await open('/channels/unknown-pos/events', { 'last-event-id': bogus });
      expect(stream.status).toBe(200);
      const [reset] = await stream.waitForEvents(1);
      expect(reset).toEqual({ type: 'reset', data: JSON.stringify({ reason: 'unknown', head }), lastEventId: head });
    }
  });

  it('after a reset for a position of another stream (a lost one), sends every event of the current one', async () => {
    const ids = [await publish('epochs', { data: 'a' }), await publish('epochs', { data: 'b' })];
    const start = ids[0]!.replace(/^\d+-\d+/, '0-0');
    const stream = await open('/channels/epochs/events', { 'last-event-id': '1700000000000-5.zzzzzzz' });
    const [reset, ...events] = await stream.waitForEvents(3);
    expect(reset).toEqual({ type: 'reset', data: JSON.stringify({ reason: 'unknown', head: start }), lastEventId: start });
    expect(events.map((e) => e.lastEventId)).toEqual(ids);
  });

  it('takes an empty Last-Event-ID as absent: the query position stands, and without one the stream starts at the head', async () => {
    const [first] = [await publish('empty-id', { data: 1 }), await publish('empty-id', { data: 2 })];
    const withQuery = await open(`/channels/empty-id/events?lastEventId=${encodeURIComponent(first!)}`, { 'last-event-id': '' });
    const [replayed] = await withQuery.waitForEvents(1);
    expect(replayed!.data).toBe('2');
    const plain = await open('/channels/empty-id/events', { 'last-event-id': '' });
    await plain.waitUntil(() => plain.parser.lastEventId !== '');
    await new Promise((r) => setTimeout(r, 50));
    expect(plain.parser.events).toEqual([]);
  });

  it('sends a comment heartbeat while idle', async () => {
    const stream = await open('/channels/quiet/events');
    await stream.waitUntil(() => stream.parser.comments.length >= 2, 3000, 'two heartbeats');
    expect(stream.text()).toMatch(/\n:\n\n/);
  });

  it('keeps injected line breaks inside the JSON data line', async () => {
    const stream = await open('/channels/inject/events');
    await stream.waitUntil(() => stream.parser.lastEventId !== '');
    const id = await publish('inject', { data: 'x\n\nevent: reset\ndata: pwned\r\nid: 0' });
    const [event] = await stream.waitForEvents(1);
    expect(event).toEqual({ type: 'message', data: JSON.stringify('x\n\nevent: reset\ndata: pwned\r\nid: 0'), lastEventId: id });
    await new Promise((r) => setTimeout(r, 50));
    expect(stream.parser.events).toHaveLength(1);
  });

  it('answers HEAD with the stream headers and ends at once', async () => {
    const answer = await request('HEAD', `${gateway.url}/channels/probe/events`, { headers: { accept: 'text/event-stream' } });
    expect(answer.status).toBe(200);
    expect(answer.headers['content-type']).toBe('text/event-stream');
    expect(answer.text).toBe('');
    const health = await request('GET', `${gateway.url}/health`);
    expect(health.body.connections.open).toBe(0);
  });

  it('answers an unsupported Accept with 406 and a JSON body', async () => {
    const answer = await request('GET', `${gateway.url}/channels/a/events`, { headers: { accept: 'text/html' } });
    expect(answer.status).toBe(406);
    expect(answer.body).toMatchObject({ statusCode: 406, message: expect.stringContaining('text/event-stream') });
  });

  it('refuses a bad channel name with 400 before streaming', async () => {
    for (const name of ['bad$name', 'x'.repeat(129), 'sp%20ace', '%0Aevil']) {
      const stream = await open(`/channels/${name}/events`);
      expect(stream.status).toBe(400);
      await stream.ended;
      expect(JSON.parse(stream.text())).toMatchObject({ statusCode: 400, error: 'Bad Request', message: expect.stringContaining('channel name') });
    }
  });

  it('serves the recent history as JSON to a client asking for it', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push(await publish('hist', { event: i % 2 ? 'odd' : 'even', data: { i } }));
    const all = await request('GET', `${gateway.url}/channels/hist/events`, { headers: { accept: 'application/json' } });
    expect(all.status).toBe(200);
    expect(all.body.head).toBe(ids[4]);
    expect(all.body.events.map((e: { id: string }) => e.id)).toEqual(ids);
    expect(all.body.events[1]).toEqual({ id: ids[1], event: 'odd', data: { i: 1 }, time: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) });
    const page = await request('GET', `${gateway.url}/channels/hist/events?after=${encodeURIComponent(ids[1]!)}&limit=2`, { headers: { accept: 'application/json' } });
    expect(page.body.events.map((e: { id: string }) => e.id)).toEqual(ids.slice(2, 4));
    const newest = await request('GET', `${gateway.url}/channels/hist/events?limit=2`, { headers: { accept: 'application/json' } });
    expect(newest.body.events.map((e: { id: string }) => e.id)).toEqual(ids.slice(3));
    const empty = await request('GET', `${gateway.url}/channels/nothing-here/events`, { headers: { accept: 'application/json' } });
    expect(empty.body).toEqual({ events: [], head: null });
    for (const limit of ['0', '1001', 'ten', '-1']) {
      const bad = await request('GET', `${gateway.url}/channels/hist/events?limit=${limit}`, { headers: { accept: 'application/json' } });
      expect(bad.status).toBe(400);
      expect(bad.body.message).toMatch(/limit must be a whole number from 1 to 1000/);
    }
  });
});
