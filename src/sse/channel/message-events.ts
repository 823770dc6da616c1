import type { MessageEvent } from '@nestjs/common';
import { Observable } from 'rxjs';
import { RESET_EVENT, envelopeOf, resetData, type StreamItem } from './channel-event.js';
import type { MultiStreamItem } from './multi-channel-reader.js';

/** Nest's `MessageEvent`, what an `@Sse()` handler returns an Observable of. */
export type SseMessageEvent = MessageEvent;

interface Handle {
  start(): Promise<void>;
  close(): void;
}

export interface MessageEventOptions {
  readonly lastEventId: string | undefined;
  readonly retryMs: number;
  readonly heartbeatMs: number;
  readonly mode: 'single' | 'multi';
}

/**
 * Turns a stream into Nest `MessageEvent`s. Written for how `@Sse()` behaves: every frame
 * carries an id (Nest would number an id-less one itself and corrupt the client's
 * position), the Observable never errors (Nest would send the raw error message), and it
 * completes when the stream cannot go on, so the client reconnects with its last id.
 */
export function toMessageEvents(
  open: (push: (item: never) => void, onFail: (reason: string) => void) => Handle,
  options: MessageEventOptions,
  onEnd: (reason: string) => void,
): Observable<SseMessageEvent> {
  return new Observable<SseMessageEvent>((subscriber) => {
    let retrySent = false;
    let lastId: string | undefined;
    const control = (id: string) => {
      if (id === lastId && retrySent) return;
      lastId = id;
      // No data: the client takes the id (and retry) and dispatches nothing.
      const frame = { id, retry: retrySent ? undefined : options.retryMs } as unknown as SseMessageEvent;
      retrySent = true;
      subscriber.next(frame);
    };
    const event = (id: string, type: string | undefined, data: string) => {
      lastId = id;
      subscriber.next({ id, type, data });
    };
    const end = (reason: string) => {
      onEnd(reason);
      subscriber.complete();
    };

    // With a position, `retry` can go out at once under the client's own id.
    if (options.lastEventId !== undefined && options.lastEventId.length <= 256) control(options.lastEventId);

    const push =
      options.mode === 'single'
        ? (item: StreamItem) => {
            if (item.kind === 'event') event(item.event.id, item.event.event, item.event.data);
            else if (item.kind === 'reset') event(item.cursor, RESET_EVENT, resetData(item.reason, item.cursor));
            else control(item.cursor);
          }
        : ({ item, token }: MultiStreamItem) => {
            if (item.kind === 'event') event(token, item.event.event, item.event.envelope());
            else if (item.kind === 'reset') event(token, RESET_EVENT, envelopeOf(item.channel, resetData(item.reason, item.cursor)));
            else control(token);
          };

    const handle = open(push as (item: never) => void, end);
    handle.start().catch((error: unknown) => end(error instanceof Error ? error.message : String(error)));
    const heartbeat = setInterval(() => {
      if (retrySent) subscriber.next({ comment: '' } as unknown as SseMessageEvent);
    }, options.heartbeatMs);
    heartbeat.unref();
    return () => {
      clearInterval(heartbeat);
      handle.close();
    };
  });
}
