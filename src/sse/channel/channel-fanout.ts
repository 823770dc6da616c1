import type { Broker, BrokerEvent, BrokerListener, BrokerSubscription, ResetReason } from '../broker/broker.interface.js';
import { StreamPosition } from '../position/stream-position.js';
import { ChannelEvent, type StreamItem } from './channel-event.js';

/** Receives a channel's items; one per subscriber, called once per item. */
export interface FanoutListener {
  onLive(item: StreamItem): void;
}

export interface ChannelFanoutOptions {
  /** Events read per history request when filling a gap. */
  pageSize: number;
  /** Live events held while a gap is being filled; past it they are re-read from history. */
  maxPending: number;
  onError(message: string, error: unknown): void;
  /** Each live event delivered here: its channel, how many listeners got it, when it was stored (ms). Once per event, never per listener. */
  onDeliver?(channel: string, listeners: number, storedAt: number): void;
  /** `listeners` were told to reset (the broker lost or trimmed what they missed). */
  onReset?(reason: ResetReason, listeners: number): void;
}

/**
 * One channel's local fan-out on this instance: a single broker subscription, however many
 * subscribers, each event wrapped (and later encoded) once and handed to every listener.
 *
 * It remembers the last position it delivered, drops anything at or before it (so events
 * are never delivered twice), and when the broker reports it may have missed events
 * (reconnected), reads them back from history before going on live.
 */
export class ChannelFanout implements BrokerListener {
  private readonly listeners = new Set<FanoutListener>();
  private subscription: Promise<BrokerSubscription> | null = null;
  /** Last position delivered, or where live delivery started. */
  private position: StreamPosition | null = null;
  /** Live events held back while a gap is filled; null when not filling. */
  private pending: BrokerEvent[] | null = null;
  private pendingOverflowed = false;
  private resyncRequested = false;

  constructor(
    readonly channel: string,
    private readonly broker: Broker,
    private readonly options: ChannelFanoutOptions,
    private readonly onIdle: (fanout: ChannelFanout) => void,
  ) {}

  get size(): number {
    return this.listeners.size;
  }

  /** Resolves once every event stored from now on reaches the listener. */
  async add(listener: FanoutListener): Promise<void> {
    this.listeners.add(listener);
    this.subscription ??= this.open();
    const opening = this.subscription;
    try {
      await opening;
    } catch (error) {
      this.listeners.delete(listener);
      if (this.subscription === opening) this.subscription = null;
      if (this.listeners.size === 0) this.onIdle(this);
      throw error;
    }
  }

  remove(listener: FanoutListener): void {
    if (!this.listeners.delete(listener) || this.listeners.size > 0) return;
    const closing = this.subscription;
    this.subscription = null;
    this.position = null;
    this.onIdle(this);
    closing
      ?.then((subscription) => subscription.unsubscribe())
      .catch((error) => this.options.onError(`unsubscribing from ${this.channel} failed`, error));
  }

  onEvent(event: BrokerEvent): void {
    if (this.pending) {
      if (this.pending.length < this.options.maxPending) this.pending.push(event);
      else this.pendingOverflowed = true;
      return;
    }
    this.deliver(event);
  }

  onResync(): void {
    if (this.listeners.size === 0 || this.position === null) return;
    if (this.pending) {
      this.resyncRequested = true;
      return;
    }
    this.pending = [];
    void this.fillGap();
  }

  private async open(): Promise<BrokerSubscription> {
    const subscription = await this.broker.subscribe(this.channel, this);
    try {
      // Live delivery is guaranteed from here; anything stored up to the head is covered
      // by the history each subscriber reads after this resolves.
      const { head } = await this.broker.history(this.channel, { limit: 0 });
      this.position ??= head;
      return subscription;
    } catch (error) {
      await subscription.unsubscribe().catch(() => undefined);
      throw error;
    }
  }

  private deliver(event: BrokerEvent): void {
    // Once per event per instance; the listeners compare nothing once caught up.
    if (this.position !== null && event.position.compare(this.position) <= 0) return;
    this.position = event.position;
    this.emit({ kind: 'event', event: new ChannelEvent(this.channel, event) });
    this.options.onDeliver?.(this.channel, this.listeners.size, event.time);
  }

  private emit(item: StreamItem): void {
    for (const listener of this.listeners) listener.onLive(item);
  }

  /** Reads what the broker may have missed, then releases the live events held meanwhile. */
  private async fillGap(): Promise<void> {
    let delayMs = 100;
    for (;;) {
      if (this.listeners.size === 0 || this.position === null) break;
      try {
        await this.readAfterPosition();
      } catch (error) {
        this.options.onError(`filling the gap of ${this.channel} failed, retrying`, error);
        await sleep(delayMs);
        delayMs = Math.min(delayMs * 2, 5_000);
        continue;
      }
      if (!this.pendingOverflowed && !this.resyncRequested) break;
      // Held events were dropped (or another drop happened): they are in history, read again.
      this.pendingOverflowed = false;
      this.resyncRequested = false;
      this.pending = [];
    }
    const held = this.pending ?? [];
    this.pending = null;
    for (const event of held) this.deliver(event);
  }

  private async readAfterPosition(): Promise<void> {
    let restarted = false;
    for (;;) {
      const page = await this.broker.history(this.channel, { after: this.position!, limit: this.options.pageSize });
      if (page.reset) {
        // A new epoch (the stream was lost and recreated): every event in it came after what
        // the listeners have, so they get all of them after the reset. Trimmed: from the head.
        restarted = page.reset === 'unknown' && !restarted && page.head.epoch !== this.position!.epoch;
        const from = restarted ? StreamPosition.start(page.head.epoch) : page.head;
        this.position = from;
        this.emit({ kind: 'reset', channel: this.channel, reason: page.reset, position: from });
        this.options.onReset?.(page.reset, this.listeners.size);
        if (restarted) continue;
        return;
      }
      for (const event of page.events) this.deliver(event);
      if (page.events.length < this.options.pageSize) return;
    }
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
