/** Delivery on one instance over one window (see `DeliveryStats.sample`). */
export interface DeliverySample {
  /** Live events written to subscribers per second (one event to three subscribers counts three). */
  readonly deliveryRate: number;
  /** Mean time from an event's store (the broker's clock) to its fan-out here, ms; null without events. */
  readonly lagMs: number | null;
  /** The longest such time, ms; null without events. */
  readonly lagMaxMs: number | null;
}

/**
 * Counts live deliveries of this instance's fan-outs: once per event per instance (with its
 * number of subscribers), never per subscriber, so it costs nothing on the write path.
 * Replayed history is not counted: it is what a client missed, not live traffic.
 */
export class DeliveryStats {
  private delivered = 0;
  private events = 0;
  private lagSumMs = 0;
  private lagMaxMs = 0;
  private since = Date.now();

  /** One live event handed to `subscribers` local subscribers; `storedAt` ms since the Unix epoch. */
  record(subscribers: number, storedAt: number): void {
    if (subscribers <= 0) return;
    const lag = Math.max(0, Date.now() - storedAt);
    this.delivered += subscribers;
    this.events++;
    this.lagSumMs += lag;
    if (lag > this.lagMaxMs) this.lagMaxMs = lag;
  }

  /** The figures since the previous sample (or since start), and a new window from now. */
  sample(now = Date.now()): DeliverySample {
    const seconds = Math.max(0.001, (now - this.since) / 1000);
    const sample: DeliverySample = {
      deliveryRate: Math.round((this.delivered / seconds) * 10) / 10,
      lagMs: this.events > 0 ? Math.round(this.lagSumMs / this.events) : null,
      lagMaxMs: this.events > 0 ? this.lagMaxMs : null,
    };
    this.delivered = 0;
    this.events = 0;
    this.lagSumMs = 0;
    this.lagMaxMs = 0;
    this.since = now;
    return sample;
  }
}
