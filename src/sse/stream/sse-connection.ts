import type { IncomingMessage, ServerResponse } from 'node:http';
import { encodeRetry } from '../wire/event-stream.encoder.js';
import { closeReasonOf } from './close-reason.util.js';

export interface SseConnectionOptions {
  readonly retryMs: number;
  /** Unsent bytes allowed before the client counts as too slow and is cut off. */
  readonly maxBufferBytes: number;
}

/** Headers of every stream: the content type, and nothing may cache, buffer or transform it. */
export const EVENT_STREAM_HEADERS = {
  'Content-Type': 'text/event-stream',
  'Cache-Control': 'no-cache',
  'X-Accel-Buffering': 'no',
} as const;

/**
 * Why a stream closed: the client left, it fell too far behind, the rebalancer moved it, the
 * instance drained (shutdown), its token expired, or it could not go on (the broker failed
 * at its start, or its replay passed its bound).
 */
export type CloseReason = 'client' | 'slow-consumer' | 'rebalanced' | 'drained' | 'token-expired' | 'error';

/**
 * One open event stream on an HTTP response. It writes shared frame bytes as they come
 * and never queues more than `maxBufferBytes` for a client that does not read: past that
 * the connection is closed and the client resumes from its last id elsewhere or later.
 */
export class SseConnection {
  lastWriteAt = Date.now();
  private closed = false;
  private newest: Map<string, readonly Buffer[]> | null = null;
  private skipped = 0;
  private readonly closeListeners: ((reason: CloseReason, detail?: string) => void)[] = [];

  constructor(
    readonly request: IncomingMessage,
    readonly response: ServerResponse,
    private readonly options: SseConnectionOptions,
  ) {
    response.once('close', () => this.finish(closeReasonOf(response)));
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Sends the headers and `retry:` at once, so the client knows the stream is up. */
  open(extraHeaders: Record<string, string> = {}): void {
    const socket = this.request.socket;
    socket.setNoDelay(true);
    socket.setKeepAlive(true);
    socket.setTimeout(0);
    // The body ends when the connection does (HTTP/1.1 allows it; Node answers with
    // `Connection: close`): every frame is then one plain write instead of a chunk with its
    // own size line, which measurably cuts the cost of each event on each stream. A stream
    // ends only by closing anyway, and the client sees the end at once.
    (this.response as ServerResponse & { useChunkedEncodingByDefault: boolean }).useChunkedEncodingByDefault = false;
    this.response.writeHead(200, { ...extraHeaders, ...EVENT_STREAM_HEADERS });
    this.write(encodeRetry(this.options.retryMs));
  }

  onClose(listener: (reason: CloseReason, detail?: string) => void): void {
    this.closeListeners.push(listener);
  }

  write(chunk: Buffer): void {
    if (this.closed) return;
    this.response.write(chunk);
    this.afterWrite();
  }

  /** Several chunks as one frame (one per-subscriber id line and a shared body). */
  writeAll(chunks: readonly Buffer[]): void {
    if (this.closed) return;
    if (chunks.length === 1) return this.write(chunks[0]!);
    this.response.cork();
    for (const chunk of chunks) this.response.write(chunk);
    this.response.uncork();
    this.afterWrite();
  }

  /**
   * For state channels: while the client is not keeping up, only the newest frame per `key`
   * (channel) waits, and it goes out once the socket drains; older ones are skipped.
   */
  writeLatest(key: string, chunks: readonly Buffer[]): void {
    if (this.closed) return;
    if (!this.response.writableNeedDrain) return this.writeAll(chunks);
    if (!this.newest) {
      this.newest = new Map();
      this.response.once('drain', () => this.flushNewest());
    }
    // Re-inserted at the end, so frames of different keys keep their order.
    if (this.newest.delete(key)) this.skipped++;
    this.newest.set(key, chunks);
  }

  /** Frames skipped for being superseded (state channels). */
  get skippedFrames(): number {
    return this.skipped;
  }

  /** Ends the stream on purpose; `retryMs` first tells the client when to come back. */
  end(reason: CloseReason, detail?: string, retryMs?: number): void {
    if (this.closed) return;
    if (retryMs !== undefined) this.response.write(encodeRetry(retryMs));
    this.response.end();
    this.finish(reason, detail);
  }

  private flushNewest(): void {
    const pending = this.newest;
    this.newest = null;
    if (!pending) return;
    for (const chunks of pending.values()) this.writeAll(chunks);
  }

  private afterWrite(): void {
    this.lastWriteAt = Date.now();
    const unsent = this.response.writableLength;
    if (unsent > this.options.maxBufferBytes) {
      // Its bytes would never leave: drop them with the connection.
      this.response.destroy();
      this.finish('slow-consumer', `${unsent} bytes unsent (limit ${this.options.maxBufferBytes})`);
    }
  }

  private finish(reason: CloseReason, detail?: string): void {
    if (this.closed) return;
    this.closed = true;
    for (const listener of this.closeListeners.splice(0)) listener(reason, detail);
  }
}
