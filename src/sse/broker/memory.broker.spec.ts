import { jest } from '@jest/globals';
import { MemoryBroker } from './memory.broker.js';
import { brokerContract, brokerLifecycleContract } from './testing/broker.contract.js';

brokerContract('MemoryBroker', {
  create: async (historyLimit) => new MemoryBroker({ historyLimit }),
});

brokerLifecycleContract('MemoryBroker', {
  create: async (historyLimit, channelTtlMs) => new MemoryBroker({ historyLimit, channelTtlMs }),
  ttlMs: 240,
});

describe('MemoryBroker', () => {
  it('refuses a history limit that is not a positive integer', () => {
    expect(() => new MemoryBroker({ historyLimit: 0 })).toThrow(RangeError);
    expect(() => new MemoryBroker({ historyLimit: 1.5 })).toThrow(RangeError);
  });

  it('refuses a channel TTL that is not 0 or a positive integer', () => {
    expect(() => new MemoryBroker({ historyLimit: 1, channelTtlMs: -1 })).toThrow(RangeError);
    expect(() => new MemoryBroker({ historyLimit: 1, channelTtlMs: 0.5 })).toThrow(RangeError);
  });

  it('keeps delivering to other listeners when one throws', async () => {
    const broker = new MemoryBroker({ historyLimit: 10 });
    const seen: string[] = [];
    await broker.subscribe('c', { onEvent: () => { throw new Error('boom'); } });
    await broker.subscribe('c', { onEvent: (e) => seen.push(e.data) });
    await expect(broker.publish('c', { data: '1' })).resolves.toMatchObject({ duplicate: false });
    expect(seen).toEqual(['1']);
  });

  it('gives every channel state an epoch of its own, so a recreated channel never shares one', async () => {
    const broker = new MemoryBroker({ historyLimit: 10 });
    const a = await broker.publish('a', { data: '1' });
    const b = await broker.publish('b', { data: '1' });
    expect(a.position.epoch).not.toBe(b.position.epoch);
    expect((await broker.publish('a', { data: '2' })).position.epoch).toBe(a.position.epoch);
    await broker.close();
  });

  describe('channel TTL (fake clock; sweeps every third of the TTL)', () => {
    beforeEach(() => jest.useFakeTimers({ now: 1_000_000 }));
    afterEach(() => jest.useRealTimers());

    it('drops an unused channel between one TTL and one sweep later, and never without a TTL', async () => {
      const broker = new MemoryBroker({ historyLimit: 10, channelTtlMs: 3000 });
      const forever = new MemoryBroker({ historyLimit: 10 });
      await broker.publish('a', { data: '1' });
      await forever.publish('a', { data: '1' });
      jest.advanceTimersByTime(3000);
      expect(broker.channelCount).toBe(1); // the sweep at 3000 ms: used exactly one TTL ago, not more
      jest.advanceTimersByTime(1000);
      expect(broker.channelCount).toBe(0);
      jest.advanceTimersByTime(24 * 3_600_000);
      expect(forever.channelCount).toBe(1);
      await broker.close();
      await forever.close();
    });

    it('counts from the last publish, read, subscribe or leaving listener; a listener keeps the channel', async () => {
      const broker = new MemoryBroker({ historyLimit: 10, channelTtlMs: 3000 });
      await broker.publish('a', { data: '1' });
      jest.advanceTimersByTime(2500);
      await broker.history('a', { limit: 0 });
      jest.advanceTimersByTime(2500);
      const subscription = await broker.subscribe('a', { onEvent() {} });
      jest.advanceTimersByTime(60_000);
      expect(broker.channelCount).toBe(1);
      await subscription.unsubscribe();
      jest.advanceTimersByTime(2900);
      expect(broker.channelCount).toBe(1);
      jest.advanceTimersByTime(1100);
      expect(broker.channelCount).toBe(0);
      await broker.close();
    });

    it('sweeps thousands of channels in one pass and keeps only the subscribed ones', async () => {
      const broker = new MemoryBroker({ historyLimit: 10, channelTtlMs: 3000 });
      for (let i = 0; i < 5000; i++) await broker.publish(`c${i}`, { data: String(i), idempotencyKey: `k${i}` });
      await broker.subscribe('c42', { onEvent() {} });
      jest.advanceTimersByTime(4000);
      expect(broker.channelCount).toBe(1);
      const kept = await broker.publish('c42', { data: 'again', idempotencyKey: 'k42' });
      expect(kept.duplicate).toBe(true);
      const recreated = await broker.publish('c43', { data: 'again', idempotencyKey: 'k43' });
      expect(recreated.duplicate).toBe(false);
      await broker.close();
    });

    it('stops sweeping when closed', async () => {
      const broker = new MemoryBroker({ historyLimit: 10, channelTtlMs: 3000 });
      await broker.publish('a', { data: '1' });
      await broker.close();
      expect(jest.getTimerCount()).toBe(0);
    });
  });
});
