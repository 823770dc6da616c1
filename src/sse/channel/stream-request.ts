import type { MessageEvent } from '@nestjs/common';
import type { Observable } from 'rxjs';
import type { StreamHandle, StreamSink } from './stream-sink.js';

/**
 * A stream an application asked for (`channel.stream()`, `hub.stream([...])`): what to open,
 * for the stream writer to serve. Channels are checked when it is made.
 */
export interface StreamRequest {
  readonly channels: readonly string[];
  /** `single`: the channel's own ids and data; `multi`: envelopes and composite ids. */
  readonly mode: 'single' | 'multi';
  /** The client's last event ID as it sent it; parsed when the stream opens. */
  readonly lastEventId: string | undefined;
  /** State channels only: a client that falls behind skips to the newest event per channel. */
  readonly latest: boolean;
  /** Opens the readers, writing to `sink`; `onFail` ends the stream (the client resumes). */
  open(sink: StreamSink, onFail: (reason: string) => void): StreamHandle;
}

/**
 * Makes the Observable an `@Sse()` handler returns for a stream request. The stream layer
 * provides it (the writer that serves it lives there), so channels need not know it.
 */
export interface StreamFactory {
  create(request: StreamRequest): Observable<MessageEvent>;
}

/** Injection token of the `StreamFactory`. */
export const StreamFactory = Symbol('StreamFactory');
