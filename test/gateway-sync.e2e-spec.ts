import { CompositePosition } from '../src/sse/internals.js';
import { openStream, post, type TestStream } from './support/sse-client.js';
import { startGateway, type TestGateway } from './support/gateway-app.js';

/** The position of each of `channels` in a several-channel stream's id, as entry ids. */
function positionsIn(token: string, channels: readonly string[]): Record<string, string> {
  const positions = CompositePosition.parse(token, channels);
  if (!positions) throw new Error(`not a composite position: ${token}`);
  return Object.fromEntries([...positions].map(([channel, position]) => [channel, position.toString()]));
}

describe('POST /sync and several channels on one stream', () => {
  let gateway: TestGateway;
  const streams: TestStream[] = [];
  const open = async (path: string, headers?: Record<string, string>) => {
    const stream = await openStream(`${gateway.url}${path}`, headers);
    streams.push(stream);
    return stream;
  };
  const publish = async (channel: string, data: unknown, event?: string) => {
    const answer = await post(`${gateway.url}/channels/${channel}/events`, event ? { data, event } : { data });
    expect(answer.status).toBe(201);
    return answer.body.id as string;
  };

  beforeAll(async () => {
    gateway = await startGateway({ SSE_HEARTBEAT_MS: '60000' });
  });
  afterEach(() => streams.splice(0).forEach((s) => s.close()));
  afterAll(() => gateway.close());

  it('on an empty channel answers null and a url that misses nothing published after', async () => {
    const answer = await post(`${gateway.url}/sync`, { channel: 'snap-empty' });
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ channel: 'snap-empty', lastEventId: null, url: expect.stringMatching(/^\/channels\/snap-empty\/events\?lastEventId=.+/) });
    const ids = [await publish('snap-empty', 1), await publish('snap-empty', 2)];
    const stream = await open(answer.body.url);
    expect((await stream.waitForEvents(2)).map((e) => e.lastEventId)).toEqual(ids);
  });

  it('answers the head, and its url streams on from exactly there', async () => {
    await publish('snap', 'before-1');
    const head = await publish('snap', 'before-2');
    const answer = await post(`${gateway.url}/sync`, { channel: 'snap' });
    expect(answer.body).toEqual({ channel: 'snap', lastEventId: head, url: `/channels/snap/events?lastEventId=${encodeURIComponent(head)}` });
    const after = await publish('snap', 'after');
    const stream = await open(answer.body.url);
    const [event] = await stream.waitForEvents(1);
    expect(event).toEqual({ type: 'message', data: '"after"', lastEventId: after });
  });

  it('refuses a bad sync body with 400', async () => {
    for (const body of [{}, { channel: 'bad name' }, { channel: 5 }, [], { channels: [] }, { channel: 'a', channels: ['b'] }]) {
      const answer = await post(`${gateway.url}/sync`, body);
      expect({ body, status: answer.status }).toEqual({ body, status: 400 });
      expect(answer.body.message).toEqual(expect.any(String));
    }
  });

  it('streams several channels with envelopes and one composite id', async () => {
    const stream = await open('/events?channel=multi-a&channel=multi-b');
    await stream.waitUntil(() => stream.parser.lastEventId !== '');
    const a = await publish('multi-a', { n: 1 }, 'created');
    const b = await publish('multi-b', 'two');
    const events = await stream.waitForEvents(2);
    expect(events.map((e) => [e.type, JSON.parse(e.data)])).toEqual([
      ['created', { channel: 'multi-a', data: { n: 1 } }],
      ['message', { channel: 'multi-b', data: 'two' }],
    ]);
    expect(positionsIn(events[1]!.lastEventId, ['multi-a', 'multi-b'])).toEqual({ 'multi-a': a, 'multi-b': b });
  });

  it('resumes every channel from the composite id, quiet channels included', async () => {
    const first = await open('/events?channel=res-a&channel=res-b&channel=res-quiet');
    await first.waitUntil(() => first.parser.lastEventId !== '');
    await publish('res-a', 'a1');
    await first.waitForEvents(1);
    const position = first.parser.lastEventId;
    first.close();
    const missed = [await publish('res-b', 'b1'), await publish('res-quiet', 'q1'), await publish('res-a', 'a2')];
    const second = await open('/events?channel=res-a&channel=res-b&channel=res-quiet', { 'last-event-id': position });
    const events = await second.waitForEvents(3);
    expect(events.map((e) => JSON.parse(e.data))).toEqual(
      expect.arrayContaining([
        { channel: 'res-b', data: 'b1' },
        { channel: 'res-quiet', data: 'q1' },
        { channel: 'res-a', data: 'a2' },
      ]),
    );
    expect(positionsIn(second.parser.lastEventId, ['res-a', 'res-b', 'res-quiet'])).toEqual({ 'res-a': missed[2], 'res-b': missed[0], 'res-quiet': missed[1] });
    await new Promise((r) => setTimeout(r, 50));
    expect(second.parser.events).toHaveLength(3);
  });

  it('resets every channel for a token that is no token, then goes live', async () => {
    const stream = await open('/events?channel=tok-a&channel=tok-b', { 'last-event-id': 'not-a-token!' });
    const events = await stream.waitForEvents(2);
    expect(events.every((e) => e.type === 'reset')).toBe(true);
    expect(events.map((e) => JSON.parse(e.data).channel).sort()).toEqual(['tok-a', 'tok-b']);
    expect(events.map((e) => JSON.parse(e.data).data.reason)).toEqual(['unknown', 'unknown']);
    const id = await publish('tok-b', 'live');
    const [, , live] = await stream.waitForEvents(3);
    expect(JSON.parse(live!.data)).toEqual({ channel: 'tok-b', data: 'live' });
    expect(positionsIn(live!.lastEventId, ['tok-b'])['tok-b']).toBe(id);
  });

  it('syncs several channels into one composite position', async () => {
    const head = await publish('sync-m1', 'x');
    const answer = await post(`${gateway.url}/sync`, { channels: ['sync-m1', 'sync-m2'] });
    expect(answer.status).toBe(200);
    expect(answer.body.url).toMatch(/^\/events\?channel=sync-m1&channel=sync-m2&lastEventId=/);
    expect(positionsIn(answer.body.lastEventId, ['sync-m1'])['sync-m1']).toBe(head);
    const next = await publish('sync-m2', 'y');
    const stream = await open(answer.body.url);
    const [event] = await stream.waitForEvents(1);
    expect(JSON.parse(event!.data)).toEqual({ channel: 'sync-m2', data: 'y' });
    expect(positionsIn(event!.lastEventId, ['sync-m2'])['sync-m2']).toBe(next);
  });

  it('refuses a multi-channel stream without channels, with a bad one, or with too many', async () => {
    for (const query of ['', '?channel=ok&channel=bad%20one', `?${Array.from({ length: 33 }, (_, i) => `channel=c${i}`).join('&')}`]) {
      const stream = await open(`/events${query}`);
      expect(stream.status).toBe(400);
      await stream.ended;
      expect(JSON.parse(stream.text()).statusCode).toBe(400);
    }
  });
});
