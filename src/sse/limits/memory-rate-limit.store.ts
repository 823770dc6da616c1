import { Injectable } from '@nestjs/common';
import type { RateLimitHit, RateLimitStore } from './rate-limit-store.interface.js';

/** Above this many keys, expired windows are swept; above twice as many, the oldest go. */
const SWEEP_AT = 10_000;

/** Counters in this process: one instance only (a cluster needs the Redis store). */
@Injectable()
export class MemoryRateLimitStore implements RateLimitStore {
  private readonly windows = new Map<string, { count: number; resetAt: number }>();

  constructor(private readonly now: () => number = Date.now) {}

  async hit(key: string, windowMs: number): Promise<RateLimitHit> {
    const now = this.now();
    let window = this.windows.get(key);
    if (!window || window.resetAt <= now) {
      if (window) this.windows.delete(key);
      window = { count: 0, resetAt: now + windowMs };
      this.windows.set(key, window);
      if (this.windows.size > SWEEP_AT) this.sweep(now);
    }
    window.count++;
    return { count: window.count, resetInMs: window.resetAt - now };
  }

  get size(): number {
    return this.windows.size;
  }

  /** Bounded memory: whatever a flood of addresses does, at most 2 × SWEEP_AT windows stay. */
  private sweep(now: number): void {
    for (const [key, window] of this.windows) if (window.resetAt <= now) this.windows.delete(key);
    for (const key of this.windows.keys()) {
      if (this.windows.size <= SWEEP_AT * 2) break;
      this.windows.delete(key);
    }
  }
}
