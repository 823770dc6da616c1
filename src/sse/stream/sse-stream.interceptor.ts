import { Injectable, Logger, type CallHandler, type ExecutionContext, type MessageEvent, type NestInterceptor } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Observable } from 'rxjs';
import { streamOfferOf } from './channel-stream.js';
import { lateStream } from './stream.messages.js';

/**
 * Makes every `@Sse()` route that returns `channel.stream()` or `hub.stream()` a stream the
 * module serves itself, instead of Nest's `@Sse()` writer, which formats every event again
 * for each subscriber and lets events pile up for a client that does not read.
 *
 * Put on every `@Sse()` route, and only there, by `SseStreamRoutes`. It claims the stream
 * Observable's first value (its offer) and hands it the response: the `SseStreamWriter`
 * writes the head itself and takes the socket over.
 * Then it completes, and Nest's `@Sse()` handling finds the response finished and writes
 * nothing. Why that is safe, in the order Nest 12 does things
 * (packages/core/router/router-response-controller.ts, `sse()`):
 *
 * - guards, pipes and the handler have run: an authorization refusal is a normal answer;
 * - interceptors run when Nest subscribes, after it set up its stream but before it wrote
 *   anything (its head waits for the first value or a timer), so the writer writes first;
 * - completion finds the response ended (`writableEnded`), so Nest commits no head and ends
 *   its own stream, releasing its per-request state; nothing of Nest's stays per stream;
 * - a refusal (full, draining) is answered by the writer itself, 503 with `Retry-After`;
 * - a handler that awaits something before it returns the stream comes after Nest's head
 *   (sent on the next turn of the event loop): then the stream is left to Nest, unclaimed,
 *   and a warning says so once.
 *
 * Anything else the route emits passes through untouched.
 */
@Injectable()
export class SseStreamInterceptor implements NestInterceptor {
  private readonly logger = new Logger('SseStreams');
  private warnedLate = false;

  intercept(context: ExecutionContext, next: CallHandler<MessageEvent>): Observable<MessageEvent> {
    if (context.getType() !== 'http') return next.handle();
    const http = context.switchToHttp();
    const request = raw<IncomingMessage>(http.getRequest());
    const response = raw<ServerResponse>(http.getResponse());
    return new Observable<MessageEvent>((subscriber) =>
      next.handle().subscribe({
        next: (value) => {
          const offer = streamOfferOf(value);
          if (!offer || offer.claimed) return subscriber.next(value);
          if (!offer.serve(request, response)) {
            this.warnLateStream();
            return subscriber.next(value);
          }
          offer.claimed = true;
          subscriber.complete();
        },
        error: (error: unknown) => subscriber.error(error),
        complete: () => subscriber.complete(),
      }),
    );
  }

  /** Nest sends its head on the next turn of the event loop: a handler that awaits first is too late. */
  private warnLateStream(): void {
    if (this.warnedLate) return;
    this.warnedLate = true;
    this.logger.warn(lateStream);
  }
}

/** The Node object under a framework's wrapper (Fastify's `raw`); Express' is the Node one. */
function raw<T>(wrapped: unknown): T {
  return ((wrapped as { raw?: T }).raw ?? wrapped) as T;
}
