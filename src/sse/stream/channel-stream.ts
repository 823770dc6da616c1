import type { MessageEvent } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Observable, type Subscriber, type TeardownLogic } from 'rxjs';
import type { StreamRequest } from '../channel/stream-request.js';

/** Key of the offer a channel stream emits first (see `SseStreamInterceptor`). */
const STREAM_OFFER = Symbol('SseStreamOffer');

/** A channel stream's offer to serve its route itself. */
export interface StreamOffer {
  claimed: boolean;
  /** Serves the stream on the response; false when it cannot (the response's head is out already). */
  serve(request: IncomingMessage, response: ServerResponse): boolean;
}

/**
 * The Observable an `@Sse()` handler returns for `channel.stream()` or `hub.stream()`.
 *
 * Its first value offers to serve the route itself: a comment (which Nest writes as a
 * harmless `:` line if nobody claims it) carrying the offer. The module's interceptor
 * claims it on every `@Sse()` route, and the stream writer serves the stream. Nobody
 * claimed it (an application piped the stream through its own operators, or subscribed
 * outside a route): it goes on as plain `MessageEvent`s for Nest to write (`unclaimed`).
 */
export class ChannelStream extends Observable<MessageEvent> {
  constructor(
    readonly request: StreamRequest,
    serve: StreamOffer['serve'],
    unclaimed: (subscriber: Subscriber<MessageEvent>, request: StreamRequest) => TeardownLogic,
  ) {
    super((subscriber) => {
      const offer: StreamOffer = { claimed: false, serve };
      subscriber.next({ comment: '', [STREAM_OFFER]: offer } as MessageEvent);
      // Claimed: the writer owns the stream now, whatever happens to this subscription.
      if (offer.claimed || subscriber.closed) return undefined;
      return unclaimed(subscriber, request);
    });
  }
}

/** The offer an emitted value carries, if it is one. */
export function streamOfferOf(value: unknown): StreamOffer | undefined {
  return typeof value === 'object' && value !== null ? (value as { [STREAM_OFFER]?: StreamOffer })[STREAM_OFFER] : undefined;
}
