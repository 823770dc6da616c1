/** One counted hit: how many in the current window (this one included), and when it resets. */
export interface RateLimitHit {
  readonly count: number;
  /** Milliseconds until the window starts again. */
  readonly resetInMs: number;
}

/**
 * Fixed-window counters keyed by token subject or client address. Redis-backed, they
 * count across every instance of a cluster.
 */
export interface RateLimitStore {
  /** Counts one hit on `key` in a window of `windowMs`. */
  hit(key: string, windowMs: number): Promise<RateLimitHit>;
}

/** Injection token of the `RateLimitStore`. */
export const RateLimitStore = Symbol('RateLimitStore');
