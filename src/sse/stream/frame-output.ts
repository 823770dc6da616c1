import type { ChannelEvent } from '../channel/channel-event.js';

/**
 * Where a stream's frames go: the socket of a stream the module serves (`SseConnection`,
 * shared bytes), or the `MessageEvent`s of an Observable nobody took over. The
 * `FrameWriter` decides which frame each item becomes; an output only writes it.
 */
export interface FrameOutput {
  /** An event of a single-channel stream: its id and data are the channel's own. */
  event(event: ChannelEvent): void;
  /** An event of a several-channel stream: the stream's composite `id`, the enveloped data. */
  envelope(id: string, event: ChannelEvent): void;
  /** A frame the module sends itself (`sse.connected`, `reset`); `id` undefined: no `id:` line. */
  notice(id: string | undefined, type: string, data: string): void;
  /** Resolves once what was written has left; undefined when it has already. */
  ready(): Promise<void> | undefined;
}
