import { CompositePosition } from '../position/composite-position.js';
import { StreamPosition } from '../position/stream-position.js';
import type { StreamItem } from './channel-event.js';
import { ChannelReader, type ReaderStart } from './channel-reader.js';
import { FanoutRegistry } from './fanout-registry.js';
import { MultiChannelReader } from './multi-channel-reader.js';
import type { ReaderSink, StreamSink } from './stream-sink.js';
import { FlakyBroker } from './testing/flaky.broker.js';

class MultiSink implements StreamSink {
  readonly items: { item: StreamItem; id: string | undefined }[] = [];
  push(): void {
    throw new Error('a several-channel stream pushes with its id');
  }
  pushMulti(item: StreamItem, id: string | undefined): void {
    this.items.push({ item, id });
  }
  ready(): undefined {
    return undefined;
  }
}

function setup() {
  const broker = new FlakyBroker();
  const registry = new FanoutRegistry(broker, { pageSize: 10, maxPending: 100, onError: () => undefined });
  const reader = (channel: string, from: ReaderStart, sink: ReaderSink) =>
    new ChannelReader(channel, registry.get(channel), broker, from, sink, { pageSize: 10, maxReplay: 100, maxPending: 100 }, () => undefined);
  const multi = (channels: string[], lastEventId?: string) => {
    const resume = lastEventId === undefined ? new Map<string, StreamPosition>() : CompositePosition.parse(lastEventId, channels);
    const starts = new Map<string, ReaderStart>(channels.map((c) => [c, resume === null ? 'invalid' : resume.get(c)]));
    const sink = new MultiSink();
    const m = new MultiChannelReader(starts, reader, sink, 100, () => undefined);
    return { m, items: sink.items };
  };
  const publish = async (channel: string, data: string) => (await broker.publish(channel, { data })).position;
  return { broker, multi, publish };
}

const decode = (token: string, channels: string[]) =>
  Object.fromEntries([...CompositePosition.parse(token, channels)!].map(([c, p]) => [c, p.toString()]));

describe('MultiChannelReader', () => {
  it('starts with one frame whose id covers every channel, quiet ones included, then stamps each event', async () => {
    const { broker, multi, publish } = setup();
    const a0 = await publish('a', '0');
    const { m, items } = multi(['a', 'b']);
    await m.start();
    const b0 = (await broker.history('b', { limit: 0 })).head;
    expect(items).toHaveLength(1);
    expect(items[0]!.item.kind).toBe('start');
    expect(decode(items[0]!.id!, ['a', 'b'])).toEqual({ a: a0.toString(), b: b0.toString() });
    const b1 = await publish('b', '1');
    expect(decode(items.at(-1)!.id!, ['a', 'b'])).toEqual({ a: a0.toString(), b: b1.toString() });
  });

  it('resumes each channel from its own position in the token, and keeps the client\'s token at start', async () => {
    const { multi, publish } = setup();
    const a = [await publish('a', '1'), await publish('a', '2')];
    const b = [await publish('b', '1'), await publish('b', '2')];
    const token = new CompositePosition();
    token.set('a', a[0]!);
    token.set('b', b[1]!);
    const { m, items } = multi(['a', 'b'], token.token());
    await m.start();
    expect(items[0]).toEqual({ item: expect.objectContaining({ kind: 'start' }), id: undefined });
    const events = items.filter((i) => i.item.kind === 'event');
    expect(events.map(({ item }) => (item.kind === 'event' ? item.event.id : ''))).toEqual([a[1]!.toString()]);
    expect(decode(events[0]!.id!, ['a', 'b'])).toEqual({ a: a[1]!.toString(), b: b[1]!.toString() });
  });

  it('starts a channel missing from the token (one the client just added) at its head', async () => {
    const { multi, publish } = setup();
    const a = await publish('a', '1');
    await publish('c', 'old');
    const token = new CompositePosition();
    token.set('a', a);
    const { m, items } = multi(['a', 'c'], token.token());
    await m.start();
    expect(items.map((i) => i.item.kind)).toEqual(['start']);
    expect(Object.keys(decode(items[0]!.id!, ['a', 'c']))).toEqual(['a', 'c']);
  });

  it('resets every channel for a token that is no token', async () => {
    const { multi, publish } = setup();
    await publish('a', '1');
    const { m, items } = multi(['a', 'b'], 'bm90IGEgdG9rZW4');
    await m.start();
    expect(items.map((i) => i.item.kind).sort()).toEqual(['reset', 'reset', 'start']);
  });
});

describe('CompositePosition', () => {
  it('reads garbage tokens as no token at all', () => {
    for (const bad of ['', '!!', 'bm90IGpzb24', Buffer.from('[1,2]').toString('base64url'), 'x'.repeat(70_000), 'AQ', 'AQAAAAA']) {
      expect({ bad, parsed: CompositePosition.parse(bad, ['a']) }).toEqual({ bad, parsed: null });
    }
  });

  it('round-trips positions of every channel, up to 2^53 - 1', () => {
    const token = new CompositePosition();
    const positions = {
      a: StreamPosition.of(1_700_000_000_000, 3, 'k3j9x2a'),
      'orders.eu:1': StreamPosition.of(Number.MAX_SAFE_INTEGER, 0, 'z'),
      c: StreamPosition.start('0000001'),
    };
    for (const [channel, position] of Object.entries(positions)) token.set(channel, position);
    const parsed = CompositePosition.parse(token.token(), Object.keys(positions))!;
    expect(Object.fromEntries([...parsed].map(([c, p]) => [c, p.toString()]))).toEqual(
      Object.fromEntries(Object.entries(positions).map(([c, p]) => [c, p.toString()])),
    );
  });

  it('stays small enough that a reconnect at the maximums fits a request under 8 KiB', () => {
    const channels = Array.from({ length: 32 }, (_, i) => `${String(i).padStart(2, '0')}.${'c'.repeat(125)}`);
    const token = new CompositePosition();
    for (const channel of channels) token.set(channel, StreamPosition.of(Date.now(), 12, 'k3j9x2a'));
    expect(token.token().length).toBeLessThan(900);
    // The sync url (channels and token) and the Last-Event-ID header a browser adds on reconnect.
    const url = `/events?${channels.map((c) => `channel=${c}`).join('&')}&lastEventId=${token.token()}`;
    const request = `GET ${url} HTTP/1.1\r\nLast-Event-ID: ${token.token()}\r\n`;
    expect(Buffer.byteLength(request)).toBeLessThan(8 * 1024 - 1024);
  });
});
