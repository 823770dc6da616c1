import { CompositePosition } from '../position/composite-position.js';
import { StreamPosition } from '../position/stream-position.js';
import type { StreamItem } from './channel-event.js';
import type { ReaderStart } from './channel-reader.js';
import type { ReaderSink, StreamHandle, StreamSink } from './stream-sink.js';

/**
 * Several channels on one stream. Each channel has its own reader (replay then live); this
 * merges them, keeping every channel's order, and stamps each item with a token holding all
 * channels' positions. Nothing goes out before every channel has said where it starts, so
 * the first token already covers the quiet channels too; that first token travels on the
 * stream's `start` item.
 */
export class MultiChannelReader implements StreamHandle, ReaderSink {
  private readonly position = new CompositePosition();
  /** Items that arrived before every channel started; null once flowing. */
  private held: StreamItem[] | null = [];
  private readonly readers: StreamHandle[];
  private readonly waiting: Set<string>;
  /** True when some channel starts at its head: the client's token does not cover it. */
  private moved = false;
  private closed = false;

  /**
   * @param starts where each channel starts (its position from the client's token, `'invalid'`, or undefined: the head)
   * @param openReader makes a reader for one channel writing to this merger
   */
  constructor(
    starts: ReadonlyMap<string, ReaderStart>,
    openReader: (channel: string, from: ReaderStart, sink: ReaderSink) => StreamHandle,
    private readonly sink: StreamSink,
    private readonly maxHeld: number,
    private readonly onFail: (reason: string) => void,
  ) {
    this.waiting = new Set(starts.keys());
    this.readers = [...starts].map(([channel, from]) => {
      if (from instanceof StreamPosition) this.position.set(channel, from);
      return openReader(channel, from, this);
    });
  }

  async start(): Promise<void> {
    await Promise.all(this.readers.map((reader) => reader.start()));
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.held = null;
    for (const reader of this.readers) reader.close();
  }

  ready(): Promise<void> | undefined {
    return this.sink.ready();
  }

  push(item: StreamItem): void {
    if (this.closed) return;
    if (item.kind === 'start') return this.started(item);
    if (!this.held) return this.emit(item);
    if (this.held.length >= this.maxHeld) {
      this.onFail(`more than ${this.maxHeld} events arrived while the stream started`);
      return this.close();
    }
    this.held.push(item);
  }

  private started(item: Extract<StreamItem, { kind: 'start' }>): void {
    if (item.position) {
      this.position.set(item.channel, item.position);
      this.moved = true;
    }
    this.waiting.delete(item.channel);
    if (this.waiting.size > 0) return;
    const held = this.held ?? [];
    this.held = null;
    this.sink.pushMulti({ kind: 'start', channel: item.channel, position: undefined }, this.moved ? this.position.token() : undefined);
    for (const heldItem of held) this.emit(heldItem);
  }

  private emit(item: StreamItem): void {
    if (item.kind === 'event') this.position.set(item.event.channel, item.event.position);
    else if (item.kind === 'reset') this.position.set(item.channel, item.position);
    this.sink.pushMulti(item, this.position.token());
  }
}
