import { backoffDelay, parseRetryAfter } from './backoff.util.js';

describe('backoffDelay', () => {
  const low = () => 0;
  const high = () => 0.999999;

  it('doubles from the initial wait up to the maximum, half fixed and half random', () => {
    const options = { initialMs: 100, maxMs: 1000 };
    expect([0, 1, 2, 3, 4, 5].map((a) => backoffDelay(a, options, undefined, 0, high))).toEqual([100, 200, 400, 800, 1000, 1000]);
    expect([0, 1, 2, 3, 4, 5].map((a) => backoffDelay(a, options, undefined, 0, low))).toEqual([50, 100, 200, 400, 500, 500]);
  });

  it("starts from the server's retry: when it sent one", () => {
    expect(backoffDelay(0, { initialMs: 100 }, 3000, 0, high)).toBe(3000);
    expect(backoffDelay(1, { initialMs: 100, maxMs: 60_000 }, 3000, 0, low)).toBe(3000);
  });

  it('never waits less than a Retry-After', () => {
    expect(backoffDelay(0, { initialMs: 100 }, undefined, 5000, low)).toBe(5000);
  });

  it('spreads clients: different random draws give different waits', () => {
    const waits = new Set([0.1, 0.4, 0.7].map((r) => backoffDelay(3, {}, undefined, 0, () => r)));
    expect(waits.size).toBe(3);
  });
});

describe('parseRetryAfter', () => {
  it('reads seconds and HTTP dates', () => {
    expect(parseRetryAfter('3')).toBe(3000);
    expect(parseRetryAfter(null)).toBeUndefined();
    expect(parseRetryAfter('soon')).toBeUndefined();
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:10 GMT', now)).toBe(10_000);
  });
});
