import type { Socket } from 'node:net';
import type { ChannelEvent } from '../channel/channel-event.js';
import { encodeEvent, encodeIdLine, encodeRetry } from '../wire/event-stream.encoder.js';
import type { FrameOutput } from './frame-output.js';

/** Why a stream ended. */
export type CloseReason = 'client' | 'slow-consumer' | 'rebalanced' | 'drained' | 'token-expired' | 'error';

/** Every close reason, for counts that start at zero. */
export const CLOSE_REASONS: readonly CloseReason[] = ['client', 'slow-consumer', 'rebalanced', 'drained', 'token-expired', 'error'];

/** How long an ended stream may take to hand its last bytes to a client that does not read, ms. */
const END_GRACE_MS = 5_000;

/** The connection a socket serves, found from the socket's shared event handlers. */
const CONNECTION = Symbol('SseConnection');
type StreamSocket = Socket & { [CONNECTION]?: SseConnection };

/**
 * One open event stream on its own socket (taken over from the HTTP server once the head
 * was sent). Frames are shared `Buffer`s written as they come; nothing is copied per
 * subscriber.
 *
 * Unsent bytes are bounded, and cost little while they wait: as soon as the kernel does not
 * take a write whole (the socket holds unsent bytes), the frames that follow wait in a list
 * of references to the shared buffers (8 bytes each, where Node's own write queue keeps an
 * object per write, larger than a small frame) and go out together, in one `writev`, once
 * the socket has passed what it held to the kernel. Past `maxBufferBytes` of unsent bytes (the
 * socket's and the list's) the client counts as too slow and is cut; it resumes from its
 * last id. A state-channel stream (`latest`) keeps only each channel's newest frame while
 * it waits instead.
 */
export class SseConnection implements FrameOutput {
  /** Set by every write; the heartbeat clears it and writes to streams it finds unset. */
  wroteSinceTick = true;
  private closed = false;
  /** Frames waiting for the socket to drain; null while it takes writes. */
  private outbox: Buffer[] | null = null;
  private outboxBytes = 0;
  /** State channels only: the newest frame per channel while waiting. */
  private newest: Map<string, readonly Buffer[]> | null = null;
  private drained: { promise: Promise<void>; resolve: () => void } | null = null;
  /** Called once the socket passed its unsent bytes to the kernel; made at the first stall. */
  private onSocketFlushed: ((error?: Error | null) => void) | null = null;
  private readonly closeHooks: ((reason: CloseReason, detail?: string) => void)[] = [];
  private expiry: NodeJS.Timeout | undefined;
  private skipped = 0;

  constructor(
    private readonly socket: Socket,
    private readonly maxBufferBytes: number,
    /** State channels: a client that falls behind skips to each channel's newest frame. */
    private readonly latest: boolean,
  ) {
    (socket as StreamSocket)[CONNECTION] = this;
    socket.on('error', onSocketError);
    socket.on('end', onSocketEnd);
    socket.on('close', onSocketClose);
    // Read (and drop) whatever the client sends, so its end is noticed.
    socket.resume();
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Frames of state channels skipped for being superseded. */
  get skippedFrames(): number {
    return this.skipped;
  }

  /** Bytes written to this stream that have not left yet: the socket's buffer and the waiting frames. */
  get unsentBytes(): number {
    return this.socket.writableLength + this.outboxBytes;
  }

  onClose(hook: (reason: CloseReason, detail?: string) => void): void {
    if (this.closed) return hook('client');
    this.closeHooks.push(hook);
  }

  event(event: ChannelEvent): void {
    if (this.latest && this.outbox) return this.supersede(event.channel, [event.frame()]);
    this.write(event.frame());
  }

  envelope(id: string, event: ChannelEvent): void {
    const idLine = encodeIdLine(id);
    if (this.latest && this.outbox) return this.supersede(event.channel, [idLine, event.envelopeBody()]);
    this.write(idLine, event.envelopeBody());
  }

  notice(id: string | undefined, type: string, data: string): void {
    this.write(encodeEvent({ id, event: type, data }));
  }

  ready(): Promise<void> | undefined {
    if (!this.outbox || this.closed) return undefined;
    if (!this.drained) {
      let resolve!: () => void;
      const promise = new Promise<void>((r) => (resolve = r));
      this.drained = { promise, resolve };
    }
    return this.drained.promise;
  }

  /** A comment, to a stream idle since the last tick; none while frames wait anyway. */
  heartbeat(frame: Buffer): void {
    if (!this.outbox) this.write(frame);
  }

  /** A frame, in one part or two (a per-stream id line and a shared body): one write either way. */
  write(frame: Buffer, rest?: Buffer): void {
    if (this.closed) return;
    this.wroteSinceTick = true;
    if (this.outbox) {
      this.outbox.push(frame);
      this.outboxBytes += frame.length;
      if (rest) {
        this.outbox.push(rest);
        this.outboxBytes += rest.length;
      }
      if (this.outboxBytes + this.socket.writableLength > this.maxBufferBytes) this.cutSlowConsumer();
      return;
    }
    if (rest) {
      this.socket.cork();
      this.socket.write(frame);
      this.socket.write(rest);
      this.socket.uncork();
    } else {
      this.socket.write(frame);
    }
    if (this.socket.writableLength > 0) this.startWaiting();
  }

  /**
   * Ends the stream on purpose, after what is waiting; `retryMs` first tells the client
   * when to come back. A client that does not read gets `END_GRACE_MS` to take it.
   */
  end(reason: CloseReason, detail?: string, retryMs?: number): void {
    if (this.closed) return;
    this.flush(false);
    if (retryMs !== undefined) this.socket.write(encodeRetry(retryMs));
    this.socket.end();
    if (this.socket.writableLength > 0) setTimeout(() => this.socket.destroy(), END_GRACE_MS).unref();
    this.finish(reason, detail);
  }

  /** Ends the stream with `event` (no id: the client keeps its position) when its credential expires at `expiresAt`. */
  expireAt(expiresAt: number, event: string, data: () => string): void {
    const arm = (delay: number) => {
      this.expiry = setTimeout(fire, Math.max(0, Math.min(delay, MAX_TIMER_MS)));
      this.expiry.unref();
    };
    const fire = () => {
      const left = expiresAt - Date.now();
      if (left > 0) return arm(left);
      this.notice(undefined, event, data());
      this.end('token-expired', 'its token expired');
    };
    arm(expiresAt - Date.now());
  }

  /**
   * The kernel did not take the last write whole: frames wait in the outbox until the socket
   * has passed its unsent bytes on. An empty write with a callback is how Node says so: it
   * queues behind what the socket holds, and its callback runs once that left.
   */
  private startWaiting(): void {
    this.outbox = [];
    this.outboxBytes = 0;
    if (this.socket.writableLength > this.maxBufferBytes) return this.cutSlowConsumer();
    // A destroyed socket calls it with an error: its 'close' ends the stream.
    this.onSocketFlushed ??= (error) => {
      if (!error && !this.socket.destroyed) this.flush(true);
    };
    this.socket.write(EMPTY, this.onSocketFlushed);
  }

  private flush(keepWaiting: boolean): void {
    const frames = this.outbox;
    if (!frames) return;
    const newest = this.newest;
    this.outbox = null;
    this.outboxBytes = 0;
    this.newest = null;
    if (frames.length > 0 || newest) {
      this.socket.cork();
      for (const frame of frames) this.socket.write(frame);
      if (newest) for (const frame of newest.values()) for (const part of frame) this.socket.write(part);
      this.socket.uncork();
    }
    if (keepWaiting && this.socket.writableLength > 0) return this.startWaiting();
    const drained = this.drained;
    this.drained = null;
    drained?.resolve();
  }

  /** State channels, while waiting: the newest frame of a channel replaces its older one. */
  private supersede(channel: string, frame: readonly Buffer[]): void {
    this.wroteSinceTick = true;
    this.newest ??= new Map();
    // Re-inserted at the end, so frames of different channels keep their order.
    if (this.newest.delete(channel)) this.skipped++;
    this.newest.set(channel, frame);
  }

  private cutSlowConsumer(): void {
    const unsent = this.unsentBytes;
    // Its bytes would never leave: drop them with the connection.
    this.socket.destroy();
    this.finish('slow-consumer', `${unsent} bytes unsent (limit ${this.maxBufferBytes})`);
  }

  /** The socket closed, or was closed by us. */
  finish(reason: CloseReason, detail?: string): void {
    if (this.closed) return;
    this.closed = true;
    this.outbox = null;
    this.newest = null;
    clearTimeout(this.expiry);
    this.drained?.resolve();
    this.drained = null;
    for (const hook of this.closeHooks.splice(0)) hook(reason, detail);
  }
}

const MAX_TIMER_MS = 2 ** 31 - 1;

const EMPTY = Buffer.alloc(0);

// One function per socket event for every stream: no closure per connection.
function onSocketError(this: StreamSocket): void {
  this.destroy();
}

function onSocketEnd(this: StreamSocket): void {
  // The client half-closed: it will read nothing more.
  this.destroy();
}

function onSocketClose(this: StreamSocket): void {
  this[CONNECTION]?.finish('client');
}
