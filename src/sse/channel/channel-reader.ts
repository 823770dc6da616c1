import type { Broker } from '../broker/broker.interface.js';
import type { SseMetrics } from '../metrics/sse-metrics.interface.js';
import { ChannelEvent, type StreamItem } from './channel-event.js';
import type { ChannelFanout, FanoutListener } from './channel-fanout.js';

export interface ChannelReaderOptions {
  /** Events per history request while replaying. */
  pageSize: number;
  /** Most pages one replay may read: replay is bounded whatever the client asks. */
  maxPages: number;
  /** Live events held during the replay; past it the reader fails and the client resumes. */
  maxPending: number;
  /** Counts replayed events (per history page) and resets. */
  metrics?: SseMetrics;
}

/**
 * Replay then live, for one subscriber of one channel, with no gap and no duplicate at
 * the hand-over: the live listener is registered first (and holds what arrives), the
 * history after the client's position is sent, then the held live events that are newer
 * than the last one sent.
 */
export class ChannelReader {
  private pending: StreamItem[] | null = [];
  private lastSent: string | null = null;
  /** Set once live delivery has passed everything the replay sent. */
  private caughtUp = false;
  private closed = false;
  private readonly listener: FanoutListener = (item) => this.onLive(item);

  constructor(
    private readonly channel: string,
    private readonly fanout: ChannelFanout,
    private readonly broker: Broker,
    private readonly lastEventId: string | undefined,
    private readonly sink: (item: StreamItem) => void,
    private readonly options: ChannelReaderOptions,
    /** Called when the reader cannot go on (held too much); the stream should end. */
    private readonly onFail: (reason: string) => void,
  ) {}

  async start(): Promise<void> {
    await this.fanout.add(this.listener);
    if (this.closed) return this.fanout.remove(this.listener);
    if (this.lastEventId === undefined) {
      const { cursor } = await this.broker.history(this.channel, { limit: 0 });
      this.send({ kind: 'position', channel: this.channel, cursor });
    } else {
      await this.replay(this.lastEventId);
    }
    const held = this.pending ?? [];
    this.pending = null;
    for (const item of held) this.forward(item);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.pending = null;
    this.fanout.remove(this.listener);
  }

  private async replay(after: string): Promise<void> {
    for (let pages = 0; pages < this.options.maxPages; pages++) {
      if (this.closed) return;
      const page = await this.broker.history(this.channel, { after, limit: this.options.pageSize });
      if (page.reset) {
        this.send({ kind: 'reset', channel: this.channel, reason: page.reset, cursor: page.cursor });
        this.options.metrics?.reset(page.reset, 1);
        return;
      }
      if (pages === 0) this.lastSent = after;
      for (const event of page.events) this.forward({ kind: 'event', event: new ChannelEvent(this.channel, event) });
      this.options.metrics?.replayed(page.events.length);
      if (page.events.length < this.options.pageSize) return;
      after = page.events.at(-1)!.id;
    }
    // Bounded replay: the client has everything up to the last id sent and resumes from it.
    this.onFail(`replay stopped after ${this.options.maxPages} pages; the client resumes from its last id`);
    this.close();
  }

  private onLive(item: StreamItem): void {
    if (this.closed) return;
    if (!this.pending) {
      // A live event can still arrive after the history that already held it (the broker's
      // live and history answers travel separately), so compare until one newer than the
      // last sent comes; from then on the fan-out's order makes the comparison needless
      // (this runs once per event per subscriber).
      if (this.caughtUp) {
        this.lastSent = item.kind === 'event' ? item.event.id : item.cursor;
        return this.sink(item);
      }
      return this.forward(item);
    }
    if (this.pending.length >= this.options.maxPending) {
      this.onFail(`more than ${this.options.maxPending} live events arrived during the replay`);
      return this.close();
    }
    this.pending.push(item);
  }

  /** Sends an event only if it is newer than the last one sent. */
  private forward(item: StreamItem): void {
    if (item.kind === 'event') {
      if (this.lastSent !== null && this.broker.compare(item.event.id, this.lastSent) <= 0) return;
      this.lastSent = item.event.id;
      if (!this.pending) this.caughtUp = true;
    } else {
      this.lastSent = item.cursor;
    }
    if (!this.closed) this.sink(item);
  }

  private send(item: StreamItem & { cursor: string }): void {
    this.lastSent = item.cursor;
    if (!this.closed) this.sink(item);
  }
}
