import type { StreamItem } from './channel-event.js';
import { ChannelReader } from './channel-reader.js';
import { FanoutRegistry } from './fanout-registry.js';
import { FlakyBroker } from './testing/flaky.broker.js';

const options = { pageSize: 4, maxPages: 100, maxPending: 1000 };

function setup(historyLimit = 100) {
  const broker = new FlakyBroker(historyLimit);
  const errors: string[] = [];
  const registry = new FanoutRegistry(broker, { pageSize: 4, maxPending: 1000, onError: (m) => errors.push(m) });
  const open = (channel: string, lastEventId?: string) => {
    const items: StreamItem[] = [];
    const failures: string[] = [];
    const reader = new ChannelReader(channel, registry.get(channel), broker, lastEventId, (i) => items.push(i), options, (r) => failures.push(r));
    const ids = () => items.filter((i) => i.kind === 'event').map((i) => (i.kind === 'event' ? i.event.id : ''));
    return { reader, items, failures, ids };
  };
  const publish = async (channel: string, count: number) => {
    const ids: string[] = [];
    for (let i = 0; i < count; i++) ids.push((await broker.publish(channel, { data: String(i) })).id);
    return ids;
  };
  return { broker, registry, open, publish, errors };
}

const tick = () => new Promise((r) => setTimeout(r, 5));

describe('ChannelReader', () => {
  it('starts a stream without a position at the current head, then goes live', async () => {
    const { open, publish } = setup();
    await publish('c', 3);
    const r = open('c');
    await r.reader.start();
    expect(r.items).toHaveLength(1);
    expect(r.items[0]).toMatchObject({ kind: 'position', channel: 'c' });
    const live = await publish('c', 2);
    expect(r.ids()).toEqual(live);
  });

  it('replays across several pages then hands over to live without a duplicate', async () => {
    const { open, publish } = setup();
    const ids = await publish('c', 11);
    const r = open('c', ids[0]);
    const starting = r.reader.start();
    // Published while the replay pages are being read: held, then released once.
    const during = await publish('c', 3);
    await starting;
    const after = await publish('c', 2);
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
    for (let i = 0; i < 50 && a.ids().length < 13; i++) await tick();
    for (const r of [a, b]) expect(r.ids()).toEqual([...before, ...missed, ...after]);
  });

  it('says reset when the gap is larger than the kept history', async () => {
    const { open, publish, broker } = setup(5);
    const r = open('big-gap');
    await r.reader.start();
    broker.disconnect();
    const missed = await publish('big-gap', 20);
    broker.reconnect();
    for (let i = 0; i < 50 && !r.items.some((x) => x.kind === 'reset'); i++) await tick();
    expect(r.items.at(-1)).toEqual({ kind: 'reset', channel: 'big-gap', reason: 'trimmed', cursor: missed.at(-1) });
    const live = await publish('big-gap', 1);
    expect(r.ids()).toEqual(live);
  });

  it('after a lost stream, says reset and delivers every event of the new one', async () => {
    const { open, broker } = setup();
    const r = open('lost');
    await r.reader.start();
    const before = (await broker.publish('lost', { data: '1' })).id;
    broker.disconnect();
    // The stream is lost and recreated (a Redis restart without persistence): a new epoch.
    broker.recreate();
    const after = [(await broker.publish('lost', { data: '2' })).id, (await broker.publish('lost', { data: '3' })).id];
    broker.reconnect();
    for (let i = 0; i < 50 && r.ids().length < 3; i++) await tick();
    expect(r.ids()).toEqual([before, ...after]);
    const reset = r.items.find((i) => i.kind === 'reset');
    expect(reset).toMatchObject({ kind: 'reset', reason: 'unknown' });
    // Resuming from the reset's position replays the new stream from its start.
    const page = await broker.history('lost', { after: reset!.kind === 'reset' ? reset!.cursor : '', limit: 10 });
    expect(page.events.map((e) => e.id)).toEqual(after);
  });

  it('says reset for a position that is not one, and goes live from the head', async () => {
    const { open, publish } = setup();
    const [head] = await publish('bogus', 1);
    const r = open('bogus', 'nonsense');
    await r.reader.start();
    expect(r.items).toEqual([{ kind: 'reset', channel: 'bogus', reason: 'unknown', cursor: head }]);
  });

  it('stops a replay that would exceed its page budget, so the client resumes from its last id', async () => {
    const { broker, registry, publish } = setup();
    const ids = await publish('long', 30);
    const items: StreamItem[] = [];
    const failures: string[] = [];
    const reader = new ChannelReader('long', registry.get('long'), broker, ids[0], (i) => items.push(i), { pageSize: 4, maxPages: 2, maxPending: 100 }, (f) => failures.push(f));
    await reader.start();
    expect(items.map((i) => (i.kind === 'event' ? i.event.id : i.kind))).toEqual(ids.slice(1, 9));
    expect(failures).toHaveLength(1);
    expect(registry.counts().has('long')).toBe(false);
  });

  it('builds the frame bytes of a live event once for all its subscribers', async () => {
    const { open, publish } = setup();
    const readers = [open('bytes'), open('bytes')];
    await Promise.all(readers.map((r) => r.reader.start()));
    await publish('bytes', 1);
    const [x, y] = readers.map((r) => r.items.find((i) => i.kind === 'event'));
    expect(x).toBeDefined();
    if (x?.kind !== 'event' || y?.kind !== 'event') throw new Error('no event');
    expect(x.event).toBe(y.event);
    expect(x.event.frame()).toBe(y.event.frame());
  });
});
