import { applyDecorators, Catch, Injectable, UseFilters, UseGuards, type ArgumentsHost, type CanActivate, type ExceptionFilter, type ExecutionContext } from '@nestjs/common';
import type { NextFunction } from 'express';
import type { IncomingMessage } from 'node:http';
import { wantsEventStream } from './channel-access.decorator.js';

/** Thrown by `EventStreamRequestGuard` for a request another route of the same URL answers. */
class NotAnEventStreamRequest extends Error {}

/** Lets only requests that accept `text/event-stream` into the route (see `EventStreamRoute`). */
@Injectable()
export class EventStreamRequestGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    if (!wantsEventStream(context.switchToHttp().getRequest<IncomingMessage>())) throw new NotAnEventStreamRequest();
    return true;
  }
}

/** Hands a request `EventStreamRequestGuard` turned away to the next route that matches it (Express' `next()`). */
@Catch(NotAnEventStreamRequest)
export class NextRouteFilter implements ExceptionFilter {
  catch(_: NotAnEventStreamRequest, host: ArgumentsHost): void {
    host.switchToHttp().getNext<NextFunction>()();
  }
}

/**
 * The `@Sse()` route of a URL that also answers other media types with a route of its own,
 * declared after it (the channel URL: the stream, or its history as JSON, by `Accept`, RFC
 * 9110 §12.5.1). Stream requests, the many and long-lived ones, get the stream route alone:
 * nothing of the other route runs for them. Any other request leaves before this route's
 * other guards (its guard must come first: place this decorator closest to the method) and
 * goes on to the next route.
 */
export const EventStreamRoute = (): MethodDecorator =>
  applyDecorators(UseGuards(EventStreamRequestGuard), UseFilters(NextRouteFilter));
