import { jest } from '@jest/globals';
import { DeliveryStats } from './delivery-stats.js';

describe('DeliveryStats', () => {
  afterEach(() => jest.useRealTimers());

  it('gives deliveries per second and the mean and largest lag of a window, then starts a new one', () => {
    jest.useFakeTimers({ now: 10_000 });
    const stats = new DeliveryStats();
    jest.setSystemTime(10_500);
    stats.record(3, 10_480); // 20 ms late, three subscribers
    stats.record(1, 10_440); // 60 ms late
    stats.record(0, 0); // nobody listening: not a delivery
    expect(stats.sample(12_000)).toEqual({ deliveryRate: 2, lagMs: 40, lagMaxMs: 60 });
    expect(stats.sample(13_000)).toEqual({ deliveryRate: 0, lagMs: null, lagMaxMs: null });
  });

  it('never reports a negative lag (a broker clock ahead of this one)', () => {
    jest.useFakeTimers({ now: 5_000 });
    const stats = new DeliveryStats();
    stats.record(1, 5_050);
    expect(stats.sample(6_000)).toEqual({ deliveryRate: 1, lagMs: 0, lagMaxMs: 0 });
  });
});
