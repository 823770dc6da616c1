import { Injectable, Logger, SSE_ABORT_CONTROLLER, type CallHandler, type ExecutionContext, type MessageEvent, type NestInterceptor } from '@nestjs/common';
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
 *   and a warning says so once;
 * - the request's signal (`@SseSignal()`), which Nest aborts when its handling completes,
 *   is aborted when the stream ends instead (see `handOverSignal`).
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
    const carrier = http.getRequest<SignalCarrier>();
    const request = raw<IncomingMessage>(carrier);
    const response = raw<ServerResponse>(http.getResponse());
    return new Observable<MessageEvent>((subscriber) =>
      next.handle().subscribe({
        next: (value) => {
          const offer = streamOfferOf(value);
          if (!offer || offer.claimed) return subscriber.next(value);
          const takeBack = handOverSignal(carrier, response);
          if (!offer.serve(request, response)) {
            takeBack();
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

/** Where Nest keeps a stream request's AbortController: on the framework's request. */
type SignalCarrier = { [SSE_ABORT_CONTROLLER]?: AbortController };

/** A claimed stream's `abort` while the stream lasts. */
const ignoreAbort = (): void => undefined;

/** The reason a claimed stream's signal aborts with: one object, since a DOMException captures a stack. */
const STREAM_ENDED = new DOMException('The stream ended', 'AbortError');

/**
 * Ties the request's signal (`@SseSignal()`) to the stream about to be served: it aborts when
 * the stream ends (a listener on the response's end, which the stream writer calls then),
 * not when Nest's `@Sse()` handling completes, which for a claimed stream is at once. Nest
 * holds the controller itself, so its `abort` is shadowed by one that does nothing until the
 * stream ends (Nest's own abort would also make a DOMException, a stack trace per stream
 * opened). Returns what undoes it, for a stream left to Nest.
 */
function handOverSignal(carrier: SignalCarrier, response: ServerResponse): () => void {
  const controller = carrier[SSE_ABORT_CONTROLLER];
  if (!controller) return () => undefined;
  const abort = abortOnStreamEnd(controller);
  controller.abort = ignoreAbort;
  response.once('close', abort);
  return () => {
    Reflect.deleteProperty(controller, 'abort');
    response.removeListener('close', abort);
  };
}

/**
 * What aborts `controller` when the stream ends. Made apart from `handOverSignal`, whose
 * closures share one scope holding the response: kept by the stream for its whole life,
 * it would keep the response and the request too (about 7 KiB a stream).
 */
function abortOnStreamEnd(controller: AbortController): () => void {
  return () => {
    Reflect.deleteProperty(controller, 'abort');
    controller.abort(STREAM_ENDED);
  };
}

/** The Node object under a framework's wrapper (Fastify's `raw`); Express' is the Node one. */
function raw<T>(wrapped: unknown): T {
  return ((wrapped as { raw?: T }).raw ?? wrapped) as T;
}
