import { StreamPosition } from '../position/stream-position.js';
import type { StreamItem } from './channel-event.js';
import { ChannelReader, type ChannelReaderOptions, type ReaderStart } from './channel-reader.js';
import { FanoutRegistry } from './fanout-registry.js';
import type { ReaderSink } from './stream-sink.js';
import { FlakyBroker } from './testing/flaky.broker.js';

const options: ChannelReaderOptions = { pageSize: 4, maxReplay: 400, maxPending: 1000 };

/** A sink that records items and lets a test hold the client back (replay pacing). */
class RecordingSink implements ReaderSink {
  readonly items: StreamItem[] = [];
  private gate: { promise: Promise<void>; open: () => void } | null = null;

  push(item: StreamItem): void {
    this.items.push(item);
  }

  ready(): Promise<void> | undefined {
    return this.gate?.promise;
  }

  /** The client stops taking frames until `release()`. */
  hold(): void {
    let open!: () => void;
    const promise = new Promise<void>((resolve) => (open = resolve));
    this.gate = { promise, open };
  }

  release(): Promise<void> | undefined {
    const gate = this.gate;
    gate?.open();
    this.gate = null;
    return gate?.promise;
  }

  ids(): string[] {
    return this.items.flatMap((i) => (i.kind === 'event' ? [i.event.id] : []));
  }
}

function setup(historyLimit = 100, readerOptions = options) {
  const broker = new FlakyBroker(historyLimit);
  const errors: string[] = [];
  const registry = new FanoutRegistry(broker, { pageSize: 4, maxPending: 1000, onError: (m) => errors.push(m) });
  const open = (channel: string, from?: ReaderStart | string) => {
    const sink = new RecordingSink();
    const failures: string[] = [];
    const start = typeof from === 'string' ? (StreamPosition.parse(from) ?? 'invalid') : from;
    const reader = new ChannelReader(channel, registry.get(channel), broker, start, sink, readerOptions, (r) => failures.push(r));
    return { reader, sink, failures, items: sink.items, ids: () => sink.ids() };
  };
  const publish = async (channel: string, count: number) => {
    const ids: string[] = [];
    for (let i = 0; i < count; i++) ids.push((await broker.publish(channel, { data: String(i) })).position.toString());
    return ids;
  };
  return { broker, registry, open, publish, errors };
}

const tick = () => new Promise((r) => setTimeout(r, 5));
const untilTrue = async (condition: () => boolean) => {
  for (let i = 0; i < 200 && !condition(); i++) await tick();
};

describe('ChannelReader', () => {
  it('starts a stream without a position at the current head, then goes live', async () => {
    const { open, publish } = setup();
    const [, , head] = await publish('c', 3);
    const r = open('c');
    await r.reader.start();
    expect(r.items).toHaveLength(1);
    expect(r.items[0]).toMatchObject({ kind: 'start', channel: 'c' });
    expect(String((r.items[0] as { position: StreamPosition }).position)).toBe(head);
    const live = await publish('c', 2);
    expect(r.ids()).toEqual(live);
  });

  it('starts with the client\'s own position (no id to send), replays several pages, then hands over to live without a duplicate', async () => {
    const { open, publish } = setup();
    const ids = await publish('c', 11);
    const r = open('c', ids[0]);
    const starting = r.reader.start();
    // Published while the replay pages are being read: held, then released once.
    const during = await publish('c', 3);
    await starting;
    const after = await publish('c', 2);
    expect(r.items[0]).toEqual({ kind: 'start', channel: 'c', position: undefined });
    expect(r.ids()).toEqual([...ids.slice(1), ...during, ...after]);
  });

  it('paces the replay to the client: the next page is read only once the client took the last one', async () => {
    const { open, publish } = setup();
    const ids = await publish('paced', 10);
    const r = open('paced', ids[0]);
    r.sink.hold();
    const starting = r.reader.start();
    await tick();
    // Held back before the first page: nothing sent.
    expect(r.ids()).toEqual([]);
    // The client takes one page at a time: each release lets exactly one more page out.
    for (const expected of [ids.slice(1, 5), ids.slice(1, 9)]) {
      const gate = r.sink.release();
      r.sink.hold();
      await gate;
      await untilTrue(() => r.ids().length === expected.length);
      await tick();
      expect(r.ids()).toEqual(expected);
    }
    r.sink.release();
    await starting;
    expect(r.ids()).toEqual(ids.slice(1));
  });

  it('reads dropped live events back from history when a slow replay held too many', async () => {
    const { open, publish } = setup(1000, { pageSize: 4, maxReplay: 4000, maxPending: 3 });
    const ids = await publish('busy', 9);
    const r = open('busy', ids[0]);
    r.sink.hold();
    const starting = r.reader.start();
    await untilTrue(() => r.items.length === 1);
    // Far more than maxPending arrive while the client is held back.
    const during = await publish('busy', 20);
    r.sink.release();
    await starting;
    const after = await publish('busy', 2);
    expect(r.ids()).toEqual([...ids.slice(1), ...during, ...after]);
  });

  it('shares one broker subscription among all readers of a channel and drops it after the last', async () => {
    const { open, broker, registry } = setup();
    const readers = Array.from({ length: 5 }, () => open('shared'));
    await Promise.all(readers.map((r) => r.reader.start()));
    expect(broker.subscribeCalls).toBe(1);
    expect(registry.counts().get('shared')).toBe(5);
    readers.forEach((r) => r.reader.close());
    expect(registry.counts().has('shared')).toBe(false);
    await open('shared').reader.start();
    expect(broker.subscribeCalls).toBe(2);
  });

  it('fills the gap after the broker reconnects: every event once, in order', async () => {
    const { open, publish, broker } = setup();
    const a = open('gap');
    const b = open('gap');
    await Promise.all([a.reader.start(), b.reader.start()]);
    const before = await publish('gap', 2);
    broker.disconnect();
    const missed = await publish('gap', 9);
    broker.reconnect();
    const after = await publish('gap', 2);
    await untilTrue(() => a.ids().length >= 13);
    for (const r of [a, b]) expect(r.ids()).toEqual([...before, ...missed, ...after]);
  });

  it('says reset when the gap is larger than the kept history', async () => {
    const { open, publish, broker } = setup(5);
    const r = open('big-gap');
    await r.reader.start();
    broker.disconnect();
    const missed = await publish('big-gap', 20);
    broker.reconnect();
    await untilTrue(() => r.items.some((x) => x.kind === 'reset'));
    const reset = r.items.at(-1) as Extract<StreamItem, { kind: 'reset' }>;
    expect(reset).toMatchObject({ kind: 'reset', channel: 'big-gap', reason: 'trimmed' });
    expect(reset.position.toString()).toBe(missed.at(-1));
    const live = await publish('big-gap', 1);
    expect(r.ids()).toEqual(live);
  });

  it('after a lost stream, a live subscriber gets reset and every event of the new one', async () => {
    const { open, broker } = setup();
    const r = open('lost');
    await r.reader.start();
    const before = (await broker.publish('lost', { data: '1' })).position.toString();
    broker.disconnect();
    // The stream is lost and recreated (a Redis restart without persistence): a new epoch.
    broker.recreate();
    const after = [(await broker.publish('lost', { data: '2' })).position.toString(), (await broker.publish('lost', { data: '3' })).position.toString()];
    broker.reconnect();
    await untilTrue(() => r.ids().length >= 3);
    expect(r.ids()).toEqual([before, ...after]);
    const reset = r.items.find((i) => i.kind === 'reset') as Extract<StreamItem, { kind: 'reset' }>;
    expect(reset).toMatchObject({ kind: 'reset', reason: 'unknown' });
    expect(reset.position.isStart).toBe(true);
  });

  it('after a lost stream, a client reconnecting with an old position gets reset and then every event of the new one', async () => {
    const { open, broker } = setup();
    const old = (await broker.publish('lost', { data: '"old"' })).position.toString();
    broker.recreate();
    const fresh = [];
    for (let i = 0; i < 5; i++) fresh.push((await broker.publish('lost', { data: String(i) })).position.toString());
    const r = open('lost', old);
    await r.reader.start();
    const reset = r.items[1] as Extract<StreamItem, { kind: 'reset' }>;
    expect(reset).toMatchObject({ kind: 'reset', reason: 'unknown' });
    // The reset's id moves the client to the start of the new stream, so a reconnect now misses nothing either.
    expect(reset.position.isStart).toBe(true);
    expect(reset.position.epoch).toBe(StreamPosition.parse(fresh[0]!)!.epoch);
    expect(r.ids()).toEqual(fresh);
  });

  it('says reset for a position that is not one, and goes live from the head', async () => {
    const { open, publish } = setup();
    const [head] = await publish('bogus', 1);
    const r = open('bogus', 'nonsense');
    await r.reader.start();
    expect(r.items.map((i) => i.kind)).toEqual(['start', 'reset']);
    expect(r.items[1]).toMatchObject({ kind: 'reset', channel: 'bogus', reason: 'unknown' });
    expect(String((r.items[1] as { position: StreamPosition }).position)).toBe(head);
  });

  it('stops a replay past its budget, so the client resumes from its last id', async () => {
    const { open, publish, registry } = setup(100, { pageSize: 4, maxReplay: 8, maxPending: 100 });
    const ids = await publish('long', 30);
    const r = open('long', ids[0]);
    await r.reader.start();
    expect(r.ids()).toEqual(ids.slice(1, 9));
    expect(r.failures).toHaveLength(1);
    expect(registry.counts().has('long')).toBe(false);
  });

  it('builds the frame bytes of a live event once for all its subscribers', async () => {
    const { open, publish } = setup();
    const readers = [open('bytes'), open('bytes')];
    await Promise.all(readers.map((r) => r.reader.start()));
    await publish('bytes', 1);
    const [x, y] = readers.map((r) => r.items.find((i) => i.kind === 'event'));
    if (x?.kind !== 'event' || y?.kind !== 'event') throw new Error('no event');
    expect(x.event).toBe(y.event);
    expect(x.event.frame()).toBe(y.event.frame());
  });
});
