/** What the keep-alive needs from its broker. */
export interface ChannelKeepaliveOptions {
  /** The channel TTL, ms (positive); the keep-alive runs every third of it, at most every `maxIntervalMs`. */
  readonly ttlMs: number;
  /** Longest time between two rounds, ms (default 10 minutes). */
  readonly maxIntervalMs?: number;
  /**
   * Channels touched per call of `touch` (default 256): one batch is in flight at a time, so
   * a publish on the same connection waits behind at most this many touches.
   */
  readonly batchSize?: number;
  /** The channels to keep alive now: those with subscribers on this instance. */
  readonly channels: () => Iterable<string>;
  /** Restarts the TTL of every channel in `batch`; rejects if it could not. */
  readonly touch: (batch: readonly string[]) => Promise<void>;
  /** A round failed (the broker is unreachable): the next one tries again. */
  readonly onError?: (error: unknown) => void;
}

const DEFAULT_MAX_INTERVAL_MS = 10 * 60_000;
const DEFAULT_BATCH_SIZE = 256;

/**
 * Keeps the channels with local subscribers from expiring: a publish restarts a channel's
 * TTL, but a quiet channel with subscribers is in use too, so every instance restarts the
 * TTL of the channels it has subscribers for, on a timer well under the TTL (a third of it:
 * one round may fail or come late and the next still comes in time). One round sends the
 * channels in batches, one batch in flight at a time, so its cost is one command per
 * subscribed channel per round however many subscribers each has, and a round that is still
 * running when the timer fires again makes the timer skip (no pile-up while Redis is slow).
 */
export class ChannelKeepalive {
  private readonly intervalMs: number;
  private readonly batchSize: number;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;

  constructor(private readonly options: ChannelKeepaliveOptions) {
    this.intervalMs = Math.max(1, Math.min(Math.floor(options.ttlMs / 3), options.maxIntervalMs ?? DEFAULT_MAX_INTERVAL_MS));
    this.batchSize = Math.max(1, options.batchSize ?? DEFAULT_BATCH_SIZE);
  }

  /** Starts the timer (unref'd: it never keeps the process alive). Idempotent. */
  start(): void {
    if (this.timer || this.stopped) return;
    this.timer = setInterval(() => void this.round(), this.intervalMs);
    this.timer.unref();
  }

  /** Stops the timer for good; a round under way sends no further batch. */
  stop(): void {
    this.stopped = true;
    clearInterval(this.timer);
  }

  /** One pass over the channels; resolves when it is done (a failed batch ends the round). */
  round(): Promise<void> {
    this.running ??= this.touchAll().finally(() => (this.running = undefined));
    return this.running;
  }

  private async touchAll(): Promise<void> {
    // A snapshot: a channel subscribed during the round waits for the next one (its
    // subscribe restarted its TTL anyway).
    const channels = [...this.options.channels()];
    try {
      for (let from = 0; from < channels.length && !this.stopped; from += this.batchSize) {
        await this.options.touch(channels.slice(from, from + this.batchSize));
      }
    } catch (error) {
      this.options.onError?.(error);
    }
  }
}
