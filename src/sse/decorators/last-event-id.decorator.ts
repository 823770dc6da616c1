import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { IncomingMessage } from 'node:http';

/**
 * The client's position: the `Last-Event-ID` header, else the `lastEventId` query
 * parameter. The header wins: an EventSource opened on a URL that carries a position
 * reconnects to that same URL, with its newer position in the header.
 */
export function readLastEventId(request: IncomingMessage & { query?: Record<string, unknown> }): string | undefined {
  const header = request.headers['last-event-id'];
  if (typeof header === 'string') return header;
  const query = request.query?.lastEventId;
  if (typeof query === 'string') return query;
  if (Array.isArray(query) && typeof query[0] === 'string') return query[0];
  return undefined;
}

/** Parameter decorator: see `readLastEventId`. */
export const LastEventId = createParamDecorator((_data: unknown, context: ExecutionContext) =>
  readLastEventId(context.switchToHttp().getRequest()),
);
