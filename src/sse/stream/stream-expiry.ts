import type { ServerResponse } from 'node:http';

// When the credential a stream was opened with expires, for the stream writer to end it
// then. Set on the response by whoever authorized it (a guard), read when the stream opens.
const expiries = new WeakMap<ServerResponse, number>();

/** The stream served on `response` ends at `expiresAt` (ms since the Unix epoch), with `sse.token-expired`. */
export function setStreamExpiry(response: ServerResponse, expiresAt: number): void {
  expiries.set(response, expiresAt);
}

export function streamExpiryOf(response: ServerResponse): number | undefined {
  return expiries.get(response);
}
