/** When to give memory back after new streams (see `HeapCompactor`). */
export interface BurstWatchOptions {
  /** Streams opened since the last compaction that make one worth its pause. */
  readonly minStreams: number;
  /** Never two compactions closer than this (ms). */
  readonly minIntervalMs: number;
  /**
   * Most of the time compactions may take (0 to 1): after one that paused for P ms, the
   * next waits at least P × (1 − share) / share.
   */
  readonly maxTimeShare: number;
}

/**
 * Says when to compact, from the count of streams opened so far: every `minStreams` new
 * streams, as far as `maxTimeShare` allows. During a burst (a deploy, a failover, a
 * rebalance: thousands of reconnects in seconds) that keeps what the new streams leave
 * behind from piling up, at a bounded cost; with streams opening slowly, it rarely runs.
 * Fed with samples of a monotonic counter and a clock, it holds no reference to any stream.
 */
export class BurstWatch {
  private openedAtLastCompaction = 0;
  private opened = 0;
  private nextAllowedAt = Number.NEGATIVE_INFINITY;

  constructor(private readonly options: BurstWatchOptions) {}

  /** One sample: `opened` streams so far at `now` (ms). True when a compaction is due now. */
  observe(opened: number, now: number): boolean {
    this.opened = opened;
    return opened - this.openedAtLastCompaction >= this.options.minStreams && now >= this.nextAllowedAt;
  }

  /** The compaction `observe` asked for ran, ending at `now` (ms) after pausing `pauseMs`. */
  compacted(now: number, pauseMs: number): void {
    const { minIntervalMs, maxTimeShare } = this.options;
    this.openedAtLastCompaction = this.opened;
    this.nextAllowedAt = now + Math.max(minIntervalMs, (pauseMs * (1 - maxTimeShare)) / maxTimeShare);
  }
}
