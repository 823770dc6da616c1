import { diffChannelCounts, withoutEmpty } from './channel-counts-diff.util.js';

const counts = (entries: Record<string, number>) => new Map(Object.entries(entries));

describe('diffChannelCounts', () => {
  it('finds new, changed and removed channels, and nothing for unchanged ones', () => {
    const diff = diffChannelCounts(counts({ a: 1, b: 2, c: 3 }), counts({ a: 1, b: 5, d: 1 }));
    expect(diff).toEqual({ changed: [['b', 5], ['d', 1]], removed: ['c'] });
  });

  it('treats a count of 0 as no entry, on either side', () => {
    expect(diffChannelCounts(counts({ a: 0 }), counts({ a: 0, b: 0 }))).toEqual({ changed: [], removed: [] });
    expect(diffChannelCounts(counts({ a: 2 }), counts({ a: 0 }))).toEqual({ changed: [], removed: ['a'] });
    expect(diffChannelCounts(counts({ a: 0 }), counts({ a: 1 }))).toEqual({ changed: [['a', 1]], removed: [] });
  });

  it('is empty for the same snapshot twice', () => {
    const same = counts({ a: 1 });
    expect(diffChannelCounts(same, same)).toEqual({ changed: [], removed: [] });
  });

  it('is empty between equal reports, however large', () => {
    const big = new Map(Array.from({ length: 10_000 }, (_, i) => [`user.${i}`, 1 + (i % 3)] as [string, number]));
    expect(diffChannelCounts(big, new Map(big))).toEqual({ changed: [], removed: [] });
  });
});

describe('withoutEmpty', () => {
  it('drops channels without subscribers', () => {
    expect([...withoutEmpty(counts({ a: 0, b: 2 }))]).toEqual([['b', 2]]);
  });
});
