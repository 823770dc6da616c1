import { envelopeOf, RESET_EVENT, resetData, type StreamItem } from '../channel/channel-event.js';
import type { StreamSink } from '../channel/stream-sink.js';
import { CONNECTED_EVENT } from '../sse.constants.js';
import type { FrameOutput } from './frame-output.js';

/**
 * The one mapping from stream items to frames, whatever serves the stream:
 *
 * - an event: its shared frame (single channel) or the stream's id and its envelope;
 * - the start: `event: sse.connected` with `{"instance"}`, carrying the stream's position
 *   in `id:` when the client had none. A frame with data, so every common parser keeps its
 *   id (some drop the id of a frame without data, although the HTML standard keeps it);
 * - a reset: `event: reset` with `{"reason", "head"}` and the position the stream goes on from.
 */
export class FrameWriter implements StreamSink {
  constructor(
    private readonly out: FrameOutput,
    /** `{"instance": "<id>"}`, made once per instance. */
    private readonly connectedData: string,
  ) {}

  push(item: StreamItem): void {
    if (item.kind === 'event') return this.out.event(item.event);
    if (item.kind === 'start') return this.out.notice(item.position?.toString(), CONNECTED_EVENT, this.connectedData);
    this.out.notice(item.position.toString(), RESET_EVENT, resetData(item.reason, item.position));
  }

  pushMulti(item: StreamItem, id: string | undefined): void {
    if (item.kind === 'event') return this.out.envelope(id!, item.event);
    if (item.kind === 'start') return this.out.notice(id, CONNECTED_EVENT, this.connectedData);
    this.out.notice(id, RESET_EVENT, envelopeOf(item.channel, resetData(item.reason, item.position)));
  }

  ready(): Promise<void> | undefined {
    return this.out.ready();
  }
}
