import { StreamPosition } from '../../position/stream-position.js';
import type { Broker, BrokerEvent, BrokerListener } from '../broker.interface.js';

/** The ids (wire text of the positions) of some events. */
const idsOf = (events: readonly BrokerEvent[]) => events.map((e) => e.position.toString());
/** A position from its text. */
const at = (id: string | undefined) => StreamPosition.parse(id!)!;

/**
 * One behavioural suite that every Broker implementation must pass. Each test gets a fresh
 * broker from the factory (with its own key space), so tests never see each other's events.
 */
export interface BrokerContractFixture {
  /** A broker keeping `historyLimit` events per channel. */
  create(historyLimit: number): Promise<Broker>;
  /** Trimming may be approximate (Redis `MAXLEN ~`): how many extra events it may keep. */
  trimSlack?: number;
}

export function brokerContract(name: string, fixture: BrokerContractFixture): void {
  describe(`Broker contract: ${name}`, () => {
    const opened: Broker[] = [];
    const open = async (historyLimit = 100) => {
      const broker = await fixture.create(historyLimit);
      opened.push(broker);
      return broker;
    };
    afterEach(async () => {
      await Promise.all(opened.splice(0).map((b) => b.close()));
    });

    const publishMany = async (broker: Broker, channel: string, count: number, prefix = 'e') => {
      const ids: string[] = [];
      for (let i = 0; i < count; i++) {
        ids.push((await broker.publish(channel, { data: JSON.stringify(`${prefix}${i}`) })).position.toString());
      }
      return ids;
    };

    it('assigns strictly increasing ids and replays exactly what came after a position', async () => {
      const broker = await open();
      const ids = await publishMany(broker, 'orders', 5);
      expect(new Set(ids).size).toBe(5);
      for (let i = 1; i < ids.length; i++) expect(at(ids[i - 1]).compare(at(ids[i]))).toBeLessThan(0);
      // Every id is a position that reads back as itself.
      for (const id of ids) expect(at(id).toString()).toBe(id);

      const page = await broker.history('orders', { after: at(ids[1]), limit: 100 });
      expect(page.reset).toBeUndefined();
      expect(idsOf(page.events)).toEqual(ids.slice(2));
      expect(page.events.map((e) => JSON.parse(e.data))).toEqual(['e2', 'e3', 'e4']);
      expect(page.head.toString()).toBe(ids[4]);
    });

    it('keeps event type, data text and time exactly', async () => {
      const broker = await open();
      const data = JSON.stringify({ text: 'line one\nline two\r\nthree ✓ 🚀', n: 1.5, nested: [null, true] });
      const before = Date.now();
      const { position } = await broker.publish('ch', { event: 'order.created', data });
      const plain = await broker.publish('ch', { data: '"x"' });
      const { events } = await broker.history('ch', { limit: 10 });
      expect(events).toHaveLength(2);
      expect(events[0]).toMatchObject({ event: 'order.created', data });
      expect(events[0]!.position.equals(position)).toBe(true);
      expect(events[0]!.time).toBeGreaterThanOrEqual(before - 1000);
      expect(events[0]!.time).toBeLessThanOrEqual(Date.now() + 1000);
      expect(events[1]).toMatchObject({ data: '"x"' });
      expect(events[1]!.position.equals(plain.position)).toBe(true);
      expect(events[1]!.event).toBeUndefined();
    });

    it('without a position returns the newest `limit` events, oldest first', async () => {
      const broker = await open();
      const ids = await publishMany(broker, 'news', 10);
      const page = await broker.history('news', { limit: 3 });
      expect(idsOf(page.events)).toEqual(ids.slice(7));
      const all = await broker.history('news', { limit: 1000 });
      expect(idsOf(all.events)).toEqual(ids);
      const positions = await broker.history('news', { limit: 0 });
      expect(positions.events).toEqual([]);
      expect(positions.head.toString()).toBe(ids[9]);
    });

    it('pages forward with `after` and `limit`', async () => {
      const broker = await open();
      const ids = await publishMany(broker, 'p', 7);
      const first = await broker.history('p', { after: at(ids[0]), limit: 3 });
      expect(idsOf(first.events)).toEqual(ids.slice(1, 4));
      const second = await broker.history('p', { after: first.events[2]!.position, limit: 3 });
      expect(idsOf(second.events)).toEqual(ids.slice(4, 7));
      const last = await broker.history('p', { after: at(ids[6]), limit: 3 });
      expect(last.events).toEqual([]);
      expect(last.reset).toBeUndefined();
    });

    it('on an empty channel answers the start of its epoch as head, which replays everything published later', async () => {
      const broker = await open();
      const empty = await broker.history('fresh', { limit: 10 });
      expect(empty.events).toEqual([]);
      expect(empty.head.isStart).toBe(true);
      const ids = await publishMany(broker, 'fresh', 3);
      const page = await broker.history('fresh', { after: empty.head, limit: 10 });
      expect(page.head.epoch).toBe(empty.head.epoch);
      expect(page.reset).toBeUndefined();
      expect(idsOf(page.events)).toEqual(ids);
    });

    it('says "trimmed" for a position older than the kept history, and not for one just inside it', async () => {
      const limit = 10;
      const broker = await open(limit);
      const total = limit + (fixture.trimSlack ?? 0) + 40;
      const ids = await publishMany(broker, 't', total);
      const kept = await broker.history('t', { limit: 10_000 });
      expect(kept.events.length).toBeGreaterThanOrEqual(limit);
      expect(kept.events.length).toBeLessThanOrEqual(limit + (fixture.trimSlack ?? 0));
      expect(kept.events.at(-1)!.position.toString()).toBe(ids.at(-1));

      const stale = await broker.history('t', { after: at(ids[0]), limit: 10 });
      expect(stale.reset).toBe('trimmed');
      expect(stale.events).toEqual([]);
      expect(stale.head.toString()).toBe(ids.at(-1));

      // The newest evicted event is a fine position: nothing after it is gone.
      const oldestKept = ids.indexOf(kept.events[0]!.position.toString());
      const edge = await broker.history('t', { after: at(ids[oldestKept - 1]), limit: 10_000 });
      expect(edge.reset).toBeUndefined();
      expect(idsOf(edge.events)).toEqual(ids.slice(oldestKept));
    });

    it('says "unknown" for a position of another epoch or beyond the head', async () => {
      const broker = await open();
      const [, head] = await publishMany(broker, 'u', 2);
      const beyond = StreamPosition.of(at(head).ms + 1_000_000, 0, at(head).epoch);
      for (const after of [beyond, StreamPosition.of(1, 0, 'zzzzzzz')]) {
        const page = await broker.history('u', { after, limit: 10 });
        expect({ after: after.toString(), reset: page.reset }).toEqual({ after: after.toString(), reset: 'unknown' });
        expect(page.events).toEqual([]);
        expect(page.head.toString()).toBe(head);
      }
      // A position of the right shape from another stream's lifetime (epoch).
      const other = await open();
      const foreign = (await other.publish('u', { data: '1' })).position;
      expect((await broker.history('u', { after: foreign, limit: 10 })).reset).toBe('unknown');
    });

    it('delivers live events with the ids publish answered, in order, only on the subscribed channel', async () => {
      const broker = await open();
      const seen: BrokerEvent[] = [];
      const sub = await broker.subscribe('live', { onEvent: (e) => seen.push(e) });
      const ids = await Promise.all(
        Array.from({ length: 20 }, (_, i) => broker.publish('live', { data: String(i) }).then((r) => r.position.toString())),
      );
      await broker.publish('other', { data: '"not for us"' });
      await waitFor(() => seen.length >= 20);
      const sorted = [...ids].sort((a, b) => at(a).compare(at(b)));
      expect(idsOf(seen)).toEqual(sorted);
      await sleep(50);
      expect(seen).toHaveLength(20);
      await sub.unsubscribe();
    });

    it('counts subscriptions: one unsubscribe leaves the other listener live', async () => {
      const broker = await open();
      const a: string[] = [];
      const b: string[] = [];
      const subA = await broker.subscribe('rc', { onEvent: (e) => a.push(e.position.toString()) });
      const subB = await broker.subscribe('rc', { onEvent: (e) => b.push(e.position.toString()) });
      const first = (await broker.publish('rc', { data: '1' })).position.toString();
      await waitFor(() => a.length === 1 && b.length === 1);
      await subA.unsubscribe();
      const second = (await broker.publish('rc', { data: '2' })).position.toString();
      await waitFor(() => b.length === 2);
      await subB.unsubscribe();
      await broker.publish('rc', { data: '3' });
      await sleep(50);
      expect(a).toEqual([first]);
      expect(b).toEqual([first, second]);
    });

    it('stores an event once per idempotency key and answers the first id again', async () => {
      const broker = await open();
      const first = await broker.publish('idem', { data: '1', idempotencyKey: 'k-1' });
      const again = await broker.publish('idem', { data: '2', idempotencyKey: 'k-1' });
      const other = await broker.publish('idem', { data: '3', idempotencyKey: 'k-2' });
      const elsewhere = await broker.publish('idem-2', { data: '4', idempotencyKey: 'k-1' });
      expect(first.duplicate).toBe(false);
      expect(again.duplicate).toBe(true);
      expect(again.position.equals(first.position)).toBe(true);
      expect(other.duplicate).toBe(false);
      expect(elsewhere.duplicate).toBe(false);
      const { events } = await broker.history('idem', { limit: 10 });
      expect(events.map((e) => e.data)).toEqual(['1', '3']);
    });

    it('forgets an idempotency key once its event has left the history', async () => {
      const broker = await open(5);
      const first = await broker.publish('idem-trim', { data: '0', idempotencyKey: 'old' });
      await publishMany(broker, 'idem-trim', 5 + (fixture.trimSlack ?? 0) + 40);
      const again = await broker.publish('idem-trim', { data: '1', idempotencyKey: 'old' });
      expect(again.duplicate).toBe(false);
      expect(again.position.equals(first.position)).toBe(false);
    });
  });
}

/** A broker factory for the channel lifecycle suite. */
export interface BrokerLifecycleFixture {
  /** A broker whose channels expire after `channelTtlMs` unused (each test gets its own key space). */
  create(historyLimit: number, channelTtlMs: number): Promise<Broker>;
  /**
   * The TTL the suite runs with, ms: long enough that the broker's own keep-alive (a third
   * of it) and the test's steps never come late on a loaded machine, short for a fast suite.
   */
  ttlMs: number;
}

/**
 * The channel lifecycle (`channelTtlMs`), for every broker that supports it: a channel
 * with no subscriber and no publish or read for the TTL is gone with its idempotency
 * keys, its positions read as unknown (another epoch), and a subscribed channel stays.
 * The waits are whole TTLs: a memory broker drops a channel up to one sweep (a third of
 * the TTL) after it expired.
 */
export function brokerLifecycleContract(name: string, fixture: BrokerLifecycleFixture): void {
  describe(`Broker lifecycle contract: ${name}`, () => {
    const ttl = fixture.ttlMs;
    const opened: Broker[] = [];
    const open = async () => {
      const broker = await fixture.create(100, ttl);
      opened.push(broker);
      return broker;
    };
    afterEach(async () => {
      await Promise.all(opened.splice(0).map((b) => b.close()));
    });

    it('drops a channel left alone for the TTL, idempotency keys included; its positions then read "unknown" and the new epoch starts from scratch', async () => {
      const broker = await open();
      const first = await broker.publish('gone', { data: '1', idempotencyKey: 'k' });
      const last = (await broker.publish('gone', { data: '2' })).position;
      expect((await broker.publish('gone', { data: '1', idempotencyKey: 'k' })).duplicate).toBe(true);
      await sleep(2 * ttl);

      const back = await broker.history('gone', { after: last, limit: 10 });
      expect(back.reset).toBe('unknown');
      expect(back.events).toEqual([]);
      expect(back.head.isStart).toBe(true);
      expect(back.head.epoch).not.toBe(last.epoch);
      expect((await broker.history('gone', { limit: 10 })).events).toEqual([]);

      // The key was forgotten with the channel: the same key stores a new event.
      const again = await broker.publish('gone', { data: '3', idempotencyKey: 'k' });
      expect(again.duplicate).toBe(false);
      expect(again.position.equals(first.position)).toBe(false);
      expect(again.position.epoch).toBe(back.head.epoch);
      // The reset's start of the new epoch replays everything of the new stream.
      const replay = await broker.history('gone', { after: back.head, limit: 10 });
      expect(replay.reset).toBeUndefined();
      expect(replay.events.map((e) => e.data)).toEqual(['3']);
    });

    it('keeps a channel while it has a subscriber, however quiet; the TTL counts from the last one leaving', async () => {
      const broker = await open();
      const before = (await broker.publish('held', { data: '1' })).position;
      const seen = recorder();
      const subscription = await broker.subscribe('held', seen);
      await sleep(3 * ttl);

      const next = await broker.publish('held', { data: '2' });
      expect(next.position.epoch).toBe(before.epoch);
      const page = await broker.history('held', { after: before, limit: 10 });
      expect(page.reset).toBeUndefined();
      expect(idsOf(page.events)).toEqual([next.position.toString()]);
      await waitFor(() => seen.events.length === 1);
      expect(seen.events[0]!.position.equals(next.position)).toBe(true);

      // A keep-alive round may have come up to a third of the TTL before the leaving.
      await subscription.unsubscribe();
      await sleep((3 * ttl) / 4);
      expect((await broker.history('held', { after: next.position, limit: 10 })).reset).toBeUndefined();
      await sleep(2 * ttl);
      expect((await broker.history('held', { after: next.position, limit: 10 })).reset).toBe('unknown');
    });

    it('restarts the TTL on every publish and every history read', async () => {
      const broker = await open();
      const first = (await broker.publish('busy', { data: '0' })).position;
      for (let i = 1; i <= 4; i++) {
        await sleep(ttl / 3);
        await broker.publish('busy', { data: String(i) });
      }
      for (let i = 0; i < 4; i++) {
        await sleep(ttl / 3);
        await broker.history('busy', { limit: 0 });
      }
      const page = await broker.history('busy', { after: first, limit: 10 });
      expect(page.reset).toBeUndefined();
      expect(page.events.map((e) => e.data)).toEqual(['1', '2', '3', '4']);
      expect(page.head.epoch).toBe(first.epoch);
    });

    it('expires each channel on its own', async () => {
      const broker = await open();
      const quiet = (await broker.publish('quiet', { data: '1' })).position;
      const busy = (await broker.publish('busy-2', { data: '1' })).position;
      for (let i = 0; i < 6; i++) {
        await sleep(ttl / 3);
        await broker.publish('busy-2', { data: String(i + 2) });
      }
      expect((await broker.history('quiet', { after: quiet, limit: 10 })).reset).toBe('unknown');
      const page = await broker.history('busy-2', { after: busy, limit: 10 });
      expect(page.reset).toBeUndefined();
      expect(page.events).toHaveLength(6);
    });
  });
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export async function waitFor(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await sleep(5);
  }
}

/** A listener that records events, for tests. */
export function recorder(): BrokerListener & { events: BrokerEvent[] } {
  const events: BrokerEvent[] = [];
  return { events, onEvent: (e) => events.push(e) };
}
