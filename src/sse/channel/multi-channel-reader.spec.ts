import { lastValueFrom, take, toArray } from 'rxjs';
import type { StreamItem } from './channel-event.js';
import { ChannelReader } from './channel-reader.js';
import { CompositePosition } from './composite-position.js';
import { FanoutRegistry } from './fanout-registry.js';
import { toMessageEvents } from './message-events.js';
import { MultiChannelReader, type MultiStreamItem } from './multi-channel-reader.js';
import { FlakyBroker } from './testing/flaky.broker.js';

function setup() {
  const broker = new FlakyBroker();
  const registry = new FanoutRegistry(broker, { pageSize: 10, maxPending: 100, onError: () => undefined });
  const reader = (channel: string, after: string | undefined, push: (i: StreamItem) => void) =>
    new ChannelReader(channel, registry.get(channel), broker, after, push, { pageSize: 10, maxPages: 10, maxPending: 100 }, () => undefined);
  const multi = (channels: string[], lastEventId?: string) => {
    const items: MultiStreamItem[] = [];
    const m = new MultiChannelReader(channels, lastEventId, reader, (i) => items.push(i), 100, () => undefined);
    return { m, items };
  };
  return { broker, multi, reader };
}

const decode = (token: string) => Object.fromEntries(CompositePosition.parse(token)!);

describe('MultiChannelReader', () => {
  it('stamps even the first item with the position of every channel', async () => {
    const { broker, multi } = setup();
    const a0 = (await broker.publish('a', { data: '0' })).id;
    const { m, items } = multi(['a', 'b']);
    await m.start();
    const b0 = (await broker.history('b', { limit: 0 })).cursor;
    expect(items.length).toBeGreaterThan(0);
    for (const { token } of items) expect(decode(token)).toEqual({ a: a0, b: b0 });
    const b1 = (await broker.publish('b', { data: '1' })).id;
    expect(decode(items.at(-1)!.token)).toEqual({ a: a0, b: b1 });
  });

  it('resumes each channel from its own position in the token', async () => {
    const { broker, multi } = setup();
    const a = [(await broker.publish('a', { data: '1' })).id, (await broker.publish('a', { data: '2' })).id];
    const b = [(await broker.publish('b', { data: '1' })).id, (await broker.publish('b', { data: '2' })).id];
    const token = new CompositePosition();
    token.set('a', a[0]!);
    token.set('b', b[1]!);
    const { m, items } = multi(['a', 'b'], token.token());
    await m.start();
    const events = items.filter((i) => i.item.kind === 'event');
    expect(events.map(({ item }) => (item.kind === 'event' ? item.event.id : ''))).toEqual([a[1]]);
    expect(decode(events[0]!.token)).toEqual({ a: a[1], b: b[1] });
  });

  it('reads garbage tokens as no token at all', () => {
    for (const bad of ['', '!!', 'bm90IGpzb24', Buffer.from('[1,2]').toString('base64url'), 'x'.repeat(70_000)]) {
      expect(CompositePosition.parse(bad)).toBeNull();
    }
  });
});

describe('toMessageEvents (for @Sse handlers)', () => {
  it('gives every frame an id, sends retry with the first, and never errors', async () => {
    const { broker, reader } = setup();
    const events$ = toMessageEvents(
      (push, onFail) => reader('nest', undefined, push as (i: StreamItem) => void),
      { lastEventId: undefined, retryMs: 1234, heartbeatMs: 60_000, mode: 'single' },
      () => undefined,
    );
    const collected = lastValueFrom(events$.pipe(take(3), toArray()));
    await new Promise((r) => setTimeout(r, 10));
    const one = (await broker.publish('nest', { event: 'x', data: '{"a":1}' })).id;
    const two = (await broker.publish('nest', { data: '2' })).id;
    const frames = await collected;
    expect(frames[0]).toMatchObject({ id: expect.any(String), retry: 1234 });
    expect(frames[0]!.data).toBeUndefined();
    expect(frames.slice(1)).toEqual([
      { id: one, type: 'x', data: '{"a":1}' },
      { id: two, type: undefined, data: '2' },
    ]);
  });

  it('completes instead of erroring when the stream cannot start', async () => {
    const ended: string[] = [];
    const events$ = toMessageEvents(
      () => ({ start: () => Promise.reject(new Error('broker down')), close: () => undefined }),
      { lastEventId: 'abc', retryMs: 10, heartbeatMs: 60_000, mode: 'single' },
      (reason) => ended.push(reason),
    );
    const frames = await lastValueFrom(events$.pipe(toArray()));
    expect(frames).toEqual([{ id: 'abc', retry: 10 }]);
    expect(ended).toEqual(['broker down']);
  });
});
