import type { MessageEvent } from '@nestjs/common';
import type { Subscriber } from 'rxjs';
import type { ChannelEvent } from '../channel/channel-event.js';
import type { FrameOutput } from './frame-output.js';

/**
 * The frames of a stream as Nest `MessageEvent`s, for an Observable that no stream writer
 * took over (an application piped it through operators, say), so that Nest's own `@Sse()`
 * writes it. Written for how it behaves: every frame carries an id (Nest numbers an id-less
 * one itself, which would corrupt the client's position), `retry` goes with the first one.
 */
export class MessageEventOutput implements FrameOutput {
  private retry: number | undefined;

  constructor(
    private readonly subscriber: Subscriber<MessageEvent>,
    /** The client's own id, for frames that must not move it (Nest would number them). */
    private lastId: string | undefined,
    retryMs: number,
  ) {
    this.retry = retryMs;
  }

  event(event: ChannelEvent): void {
    this.emit({ id: event.id, type: event.event, data: event.data });
  }

  envelope(id: string, event: ChannelEvent): void {
    this.emit({ id, type: event.event, data: event.envelope() });
  }

  notice(id: string | undefined, type: string, data: string): void {
    this.emit({ id: id ?? this.lastId, type, data });
  }

  ready(): undefined {
    return undefined;
  }

  private emit(message: MessageEvent): void {
    this.lastId = message.id;
    if (this.retry !== undefined) {
      message.retry = this.retry;
      this.retry = undefined;
    }
    this.subscriber.next(message);
  }
}
