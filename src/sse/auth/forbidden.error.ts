import { SseError } from '../errors/sse.error.js';

/** A valid token that does not allow this channel (HTTP 403, RFC 6750 `insufficient_scope`). */
export class ForbiddenError extends SseError {
  readonly status = 403;
  override readonly headers: Readonly<Record<string, string>> = {
    'WWW-Authenticate': 'Bearer realm="sse-gateway", error="insufficient_scope"',
  };
}
