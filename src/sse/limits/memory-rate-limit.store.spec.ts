import { MemoryRateLimitStore } from './memory-rate-limit.store.js';
import { rateLimitStoreContract } from './testing/rate-limit-store.contract.js';

rateLimitStoreContract('MemoryRateLimitStore', async () => ({ store: new MemoryRateLimitStore(), close: async () => {} }));

describe('MemoryRateLimitStore memory', () => {
  it('stays bounded whatever a flood of keys does', async () => {
    let now = 0;
    const store = new MemoryRateLimitStore(() => now);
    for (let i = 0; i < 50_000; i++) await store.hit(`ip:${i}`, 60_000);
    expect(store.size).toBeLessThanOrEqual(20_001);
    now = 120_000;
    for (let i = 0; i < 10_001; i++) await store.hit(`late:${i}`, 60_000);
    expect(store.size).toBeLessThanOrEqual(10_001);
  });
});
