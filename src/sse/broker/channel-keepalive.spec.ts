import { jest } from '@jest/globals';
import { ChannelKeepalive } from './channel-keepalive.js';

describe('ChannelKeepalive', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  /** Lets the round's awaited batches run. */
  const settle = async () => {
    for (let i = 0; i < 20; i++) await Promise.resolve();
  };

  it('touches every subscribed channel every third of the TTL, in batches one after the other', async () => {
    const channels = Array.from({ length: 25 }, (_, i) => `c${i}`);
    const batches: string[][] = [];
    const keepalive = new ChannelKeepalive({ ttlMs: 3000, batchSize: 10, channels: () => channels, touch: async (b) => void batches.push([...b]) });
    keepalive.start();
    jest.advanceTimersByTime(999);
    await settle();
    expect(batches).toEqual([]);
    jest.advanceTimersByTime(1);
    await settle();
    expect(batches).toEqual([channels.slice(0, 10), channels.slice(10, 20), channels.slice(20)]);
    jest.advanceTimersByTime(1000);
    await settle();
    expect(batches).toHaveLength(6);
    keepalive.stop();
    jest.advanceTimersByTime(10_000);
    await settle();
    expect(batches).toHaveLength(6);
  });

  it('never has two rounds at once: while Redis is slow the timer skips', async () => {
    let inFlight = 0;
    let most = 0;
    const release: (() => void)[] = [];
    const keepalive = new ChannelKeepalive({
      ttlMs: 300,
      channels: () => ['a'],
      touch: () => {
        most = Math.max(most, ++inFlight);
        return new Promise<void>((resolve) => release.push(() => (inFlight--, resolve())));
      },
    });
    keepalive.start();
    jest.advanceTimersByTime(1000);
    await settle();
    expect(release).toHaveLength(1);
    release.shift()!();
    await settle();
    jest.advanceTimersByTime(100);
    await settle();
    expect(release).toHaveLength(1);
    expect(most).toBe(1);
    keepalive.stop();
  });

  it('reports a failed round and tries again at the next one', async () => {
    const errors: unknown[] = [];
    let fail = true;
    let touched = 0;
    const keepalive = new ChannelKeepalive({
      ttlMs: 300,
      batchSize: 1,
      channels: () => ['a', 'b'],
      touch: async () => {
        if (fail) throw new Error('down');
        touched++;
      },
      onError: (error) => errors.push(error),
    });
    keepalive.start();
    jest.advanceTimersByTime(100);
    await settle();
    expect(errors).toEqual([new Error('down')]);
    fail = false;
    jest.advanceTimersByTime(100);
    await settle();
    expect(touched).toBe(2);
    keepalive.stop();
  });

  it('runs at least every 10 minutes however long the TTL', async () => {
    let rounds = 0;
    const keepalive = new ChannelKeepalive({ ttlMs: 30 * 86_400_000, channels: () => ['a'], touch: async () => void rounds++ });
    keepalive.start();
    jest.advanceTimersByTime(599_999);
    await settle();
    expect(rounds).toBe(0);
    jest.advanceTimersByTime(1);
    await settle();
    expect(rounds).toBe(1);
    keepalive.stop();
    expect(jest.getTimerCount()).toBe(0);
  });
});
