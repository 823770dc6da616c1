import type { RateLimitStore } from '../rate-limit-store.interface.js';

/**
 * The behaviour every `RateLimitStore` shares; each implementation's spec runs it.
 * `keyPrefix` keeps runs apart on a shared Redis.
 */
export function rateLimitStoreContract(name: string, create: () => Promise<{ store: RateLimitStore; close(): Promise<void> }>): void {
  describe(`${name} (RateLimitStore contract)`, () => {
    let store: RateLimitStore;
    let close: () => Promise<void>;
    let n = 0;
    const key = () => `contract-${process.pid}-${Date.now()}-${n++}`;

    beforeAll(async () => {
      ({ store, close } = await create());
    });
    afterAll(() => close());

    it('counts hits in one window and says when it resets', async () => {
      const k = key();
      const hits = [];
      for (let i = 0; i < 5; i++) hits.push(await store.hit(k, 10_000));
      expect(hits.map((h) => h.count)).toEqual([1, 2, 3, 4, 5]);
      for (const hit of hits) {
        expect(hit.resetInMs).toBeGreaterThan(9_000);
        expect(hit.resetInMs).toBeLessThanOrEqual(10_000);
      }
    });

    it('keeps keys apart', async () => {
      const [a, b] = [key(), key()];
      await store.hit(a, 10_000);
      await store.hit(a, 10_000);
      expect((await store.hit(b, 10_000)).count).toBe(1);
      expect((await store.hit(a, 10_000)).count).toBe(3);
    });

    it('starts again after the window', async () => {
      const k = key();
      await store.hit(k, 150);
      expect((await store.hit(k, 150)).count).toBe(2);
      await new Promise((r) => setTimeout(r, 250));
      expect((await store.hit(k, 150)).count).toBe(1);
    });

    it('counts concurrent hits exactly', async () => {
      const k = key();
      const hits = await Promise.all(Array.from({ length: 50 }, () => store.hit(k, 10_000)));
      expect(hits.map((h) => h.count).sort((x, y) => x - y)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    });
  });
}
