import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { IncomingMessage } from 'node:http';

/**
 * The client's last event ID: the `Last-Event-ID` header, else the `lastEventId` query
 * parameter. The header wins: an EventSource opened on a URL that carries a position
 * reconnects to that same URL, with its newer position in the header. Empty means absent
 * (the HTML standard sends no header while the last event ID is empty, and some clients
 * send an empty one anyway).
 */
export function readLastEventId(request: IncomingMessage & { query?: Record<string, unknown> }): string | undefined {
  const header = request.headers['last-event-id'];
  if (typeof header === 'string' && header !== '') return header;
  const raw = request.query?.lastEventId;
  const query = Array.isArray(raw) ? raw[0] : raw;
  return typeof query === 'string' && query !== '' ? query : undefined;
}

/** Parameter decorator: see `readLastEventId`. */
export const LastEventId = createParamDecorator((_data: unknown, context: ExecutionContext) =>
  readLastEventId(context.switchToHttp().getRequest()),
);
