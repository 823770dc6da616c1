import { BurstWatch } from './burst-watch.js';

describe('BurstWatch', () => {
  const options = { minStreams: 1000, minIntervalMs: 1000, maxTimeShare: 0.1 };

  it('is due once minStreams streams opened since the last compaction, not before', () => {
    const watch = new BurstWatch(options);
    expect(watch.observe(999, 0)).toBe(false);
    expect(watch.observe(1000, 250)).toBe(true);
    watch.compacted(300, 20);
    expect(watch.observe(1999, 60_000)).toBe(false);
    expect(watch.observe(2000, 60_250)).toBe(true);
  });

  it('waits minIntervalMs after a short pause', () => {
    const watch = new BurstWatch(options);
    expect(watch.observe(1000, 0)).toBe(true);
    watch.compacted(10, 10);
    expect(watch.observe(5000, 900)).toBe(false);
    expect(watch.observe(5000, 1010)).toBe(true);
  });

  it('keeps compactions within maxTimeShare of the time after a long pause', () => {
    const watch = new BurstWatch(options);
    expect(watch.observe(1000, 0)).toBe(true);
    watch.compacted(500, 500); // 500 ms at 10%: 4.5 s before the next
    expect(watch.observe(9000, 4999)).toBe(false);
    expect(watch.observe(9000, 5000)).toBe(true);
  });

  it('is never due while fewer than minStreams open, however long', () => {
    const watch = new BurstWatch(options);
    expect(watch.observe(10, 1e9)).toBe(false);
  });
});
