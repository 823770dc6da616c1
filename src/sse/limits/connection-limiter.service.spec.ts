import { ConnectionLimiter } from './connection-limiter.service.js';

describe('ConnectionLimiter', () => {
  it('gives each address at most its maximum of slots and takes them back', () => {
    const limiter = new ConnectionLimiter(2);
    expect([limiter.acquire('a'), limiter.acquire('a'), limiter.acquire('a'), limiter.acquire('b')]).toEqual([true, true, false, true]);
    limiter.release('a');
    expect(limiter.count('a')).toBe(1);
    expect(limiter.acquire('a')).toBe(true);
    limiter.release('b');
    limiter.release('b');
    expect(limiter.count('b')).toBe(0);
  });

  it('has no limit without a maximum', () => {
    const limiter = new ConnectionLimiter(undefined);
    for (let i = 0; i < 1000; i++) expect(limiter.acquire('a')).toBe(true);
  });
});
