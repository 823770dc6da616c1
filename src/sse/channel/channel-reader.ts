import type { Broker } from '../broker/broker.interface.js';
import { StreamPosition } from '../position/stream-position.js';
import type { SseMetrics } from '../metrics/sse-metrics.interface.js';
import { ChannelEvent, type StreamItem } from './channel-event.js';
import type { ChannelFanout, FanoutListener } from './channel-fanout.js';
import type { ReaderSink, StreamHandle } from './stream-sink.js';

export interface ChannelReaderOptions {
  /** Events per history request while replaying (small enough that a page fits a stream's buffer). */
  pageSize: number;
  /** Most events one replay may send: replay is bounded whatever the client asks. */
  maxReplay: number;
  /** Live events held during the replay; past it they are read from history instead. */
  maxPending: number;
  /** Counts replayed events (per history page) and resets. */
  metrics?: Pick<SseMetrics, 'replayed' | 'reset'>;
}

/**
 * Where a reader starts: after a position, from a text that is no position at all
 * (`'invalid'`: the client gets a reset), or at the head (undefined).
 */
export type ReaderStart = StreamPosition | 'invalid' | undefined;

/**
 * Replay then live, for one subscriber of one channel, with no gap and no duplicate at
 * the hand-over: the live listener is registered first (and holds what arrives), the
 * history after the client's position is sent page by page as the client takes it, then
 * the held live events that are newer than the last one sent.
 */
export class ChannelReader implements FanoutListener, StreamHandle {
  private pending: StreamItem[] | null = [];
  /** Live events were dropped during the replay: they are in history, read on. */
  private pendingOverflowed = false;
  private lastSent: StreamPosition | null = null;
  /** Set once live delivery has passed everything the replay sent. */
  private caughtUp = false;
  private closed = false;

  constructor(
    private readonly channel: string,
    private readonly fanout: ChannelFanout,
    private readonly broker: Broker,
    private readonly from: ReaderStart,
    private readonly sink: ReaderSink,
    private readonly options: ChannelReaderOptions,
    /** Called when the reader cannot go on (replay budget spent); the stream should end. */
    private readonly onFail: (reason: string) => void,
  ) {}

  async start(): Promise<void> {
    await this.fanout.add(this);
    if (this.closed) return this.fanout.remove(this);
    if (this.from === undefined) {
      const { head } = await this.broker.history(this.channel, { limit: 0 });
      this.send({ kind: 'start', channel: this.channel, position: head });
    } else {
      this.send({ kind: 'start', channel: this.channel, position: undefined });
      if (this.from === 'invalid') {
        const { head } = await this.broker.history(this.channel, { limit: 0 });
        this.send({ kind: 'reset', channel: this.channel, reason: 'unknown', position: head });
        this.options.metrics?.reset('unknown', 1);
      } else {
        await this.replay(this.from);
      }
    }
    const held = this.pending ?? [];
    this.pending = null;
    for (const item of held) this.forward(item);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.pending = null;
    this.fanout.remove(this);
  }

  onLive(item: StreamItem): void {
    if (this.closed) return;
    if (!this.pending) {
      // A live event can still arrive after the history that already held it (the broker's
      // live and history answers travel separately), so compare until one newer than the
      // last sent comes; from then on the fan-out's order makes the comparison needless.
      if (this.caughtUp) return this.sink.push(item);
      return this.forward(item);
    }
    if (this.pending.length < this.options.maxPending) this.pending.push(item);
    else this.pendingOverflowed = true;
  }

  private async replay(after: StreamPosition): Promise<void> {
    let from = after;
    let sent = 0;
    let restarted = false;
    this.lastSent = after;
    for (;;) {
      // Paced: the next page is read once the client has taken the previous one.
      await this.sink.ready();
      if (this.closed) return;
      const page = await this.broker.history(this.channel, { after: from, limit: this.options.pageSize });
      if (this.closed) return;
      if (page.reset) {
        // A position of a lost and recreated stream (another epoch): everything in the new
        // stream came after it, so the client gets all of it after the reset.
        if (page.reset === 'unknown' && !restarted && page.head.epoch !== from.epoch) {
          restarted = true;
          from = StreamPosition.start(page.head.epoch);
          this.send({ kind: 'reset', channel: this.channel, reason: 'unknown', position: from });
          this.options.metrics?.reset('unknown', 1);
          continue;
        }
        this.send({ kind: 'reset', channel: this.channel, reason: page.reset, position: page.head });
        this.options.metrics?.reset(page.reset, 1);
        return;
      }
      for (const event of page.events) this.forward({ kind: 'event', event: new ChannelEvent(this.channel, event) });
      this.options.metrics?.replayed(page.events.length);
      sent += page.events.length;
      if (page.events.length === this.options.pageSize) {
        from = page.events.at(-1)!.position;
        if (sent < this.options.maxReplay) continue;
        // Bounded replay: the client has everything up to the last id sent and resumes from it.
        this.onFail(`replay stopped after ${sent} events; the client resumes from its last id`);
        return this.close();
      }
      if (!this.pendingOverflowed) return;
      // Live events were dropped while this page was read: they are in history after the
      // last one sent, and so are the held ones; read on from there.
      this.pendingOverflowed = false;
      this.pending = [];
      from = this.lastSent ?? from;
    }
  }

  /** Sends an event only if it is newer than the last one sent. */
  private forward(item: StreamItem): void {
    if (item.kind === 'event') {
      if (this.lastSent !== null && item.event.position.compare(this.lastSent) <= 0) return;
      this.lastSent = item.event.position;
      if (!this.pending) this.caughtUp = true;
    } else if (item.kind === 'reset') {
      this.lastSent = item.position;
    }
    if (!this.closed) this.sink.push(item);
  }

  private send(item: StreamItem): void {
    if (item.kind !== 'event' && item.position) this.lastSent = item.position;
    if (!this.closed) this.sink.push(item);
  }
}
