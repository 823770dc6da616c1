import type { StreamItem } from './channel-event.js';
import { CompositePosition } from './composite-position.js';

/** An item of a several-channel stream with the stream's position after it. */
export interface MultiStreamItem {
  readonly item: StreamItem;
  readonly token: string;
}

export interface ReaderLike {
  start(): Promise<void>;
  close(): void;
}

/** Not a position of any stream: the broker answers such a position with a reset. */
export const UNKNOWN_POSITION = '!';

/**
 * Several channels on one stream. Each channel has its own reader (replay then live); this
 * merges them, keeping every channel's order, and stamps each item with a token holding all
 * channels' positions. Nothing goes out before every channel has a position, so the first
 * token already covers the quiet channels too.
 */
export class MultiChannelReader {
  private readonly position = new CompositePosition();
  private held: StreamItem[] | null = [];
  private readonly readers: ReaderLike[];
  private closed = false;

  /**
   * @param openReader makes a reader for one channel from its resume position
   * @param lastEventId the client's token, if any
   */
  constructor(
    channels: readonly string[],
    lastEventId: string | undefined,
    openReader: (channel: string, after: string | undefined, sink: (item: StreamItem) => void) => ReaderLike,
    private readonly sink: (item: MultiStreamItem) => void,
    private readonly maxHeld: number,
    private readonly onFail: (reason: string) => void,
  ) {
    const resume = lastEventId === undefined ? new Map<string, string>() : CompositePosition.parse(lastEventId);
    this.readers = channels.map((channel) => {
      // A token that is no token resets every channel; a channel missing from a good token
      // (one the client just added) starts live.
      const after = resume === null ? UNKNOWN_POSITION : resume.get(channel);
      if (after !== undefined) this.position.set(channel, after);
      return openReader(channel, after, (item) => this.onItem(item));
    });
  }

  async start(): Promise<void> {
    await Promise.all(this.readers.map((reader) => reader.start()));
    const held = this.held ?? [];
    this.held = null;
    // A channel's start position comes before all its events, so taking every one of them
    // first makes even the first token cover every channel.
    for (const item of held) if (item.kind === 'position') this.position.set(item.channel, item.cursor);
    for (const item of held) this.emit(item);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.held = null;
    for (const reader of this.readers) reader.close();
  }

  private onItem(item: StreamItem): void {
    if (this.closed) return;
    if (!this.held) return this.emit(item);
    if (this.held.length >= this.maxHeld) {
      this.onFail(`more than ${this.maxHeld} events arrived while the stream started`);
      return this.close();
    }
    this.held.push(item);
  }

  private emit(item: StreamItem): void {
    if (item.kind === 'event') this.position.set(item.event.channel, item.event.id);
    else this.position.set(item.channel, item.cursor);
    this.sink({ item, token: this.position.token() });
  }
}
