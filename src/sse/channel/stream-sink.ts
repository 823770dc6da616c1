import type { StreamItem } from './channel-event.js';

/**
 * Where a stream's items go, in order: the stream writer (or anything else that serves a
 * stream). Replay is paced by `ready()`: the next history page is read only once the
 * client has taken the previous one, so a client that reads is never cut for being behind.
 */
export interface StreamSink {
  /** An item of a single-channel stream; its ids are the channel's own. */
  push(item: StreamItem): void;
  /**
   * An item of a several-channel stream, with the stream's composite id after it; for the
   * `start` item, undefined when the client's own id stands.
   */
  pushMulti(item: StreamItem, id: string | undefined): void;
  /** Resolves once what was written has left (or the stream closed); undefined when it has already. */
  ready(): Promise<void> | undefined;
}

/** What one channel's reader writes to: a stream sink, or the reader merging several channels. */
export interface ReaderSink {
  push(item: StreamItem): void;
  ready(): Promise<void> | undefined;
}

/** A stream being opened: `start()` replays and goes live; `close()` ends it. */
export interface StreamHandle {
  start(): Promise<void>;
  close(): void;
}
