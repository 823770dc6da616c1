import type { ServerResponse } from 'node:http';
import type { CloseReason } from './sse-connection.js';

const reasons = new WeakMap<ServerResponse, CloseReason>();

/**
 * Says why a stream's response is about to end, for code that ends it from outside the
 * stream writer (the token expiry timer armed by the access guard), so the stream is
 * counted under that reason instead of as closed by the client.
 */
export function markClosing(response: ServerResponse, reason: CloseReason): void {
  reasons.set(response, reason);
}

/** Why a stream's response closed without the writer ending it: what `markClosing` said, else the client left. */
export function closeReasonOf(response: ServerResponse): CloseReason {
  return reasons.get(response) ?? 'client';
}
