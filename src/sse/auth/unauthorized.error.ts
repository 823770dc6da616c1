import { SseError } from '../errors/sse.error.js';

/**
 * No token, or one that is not accepted (HTTP 401). `WWW-Authenticate` tells the client
 * to come back with a bearer token (RFC 6750), and why the one it sent failed.
 */
export class UnauthorizedError extends SseError {
  readonly status = 401;
  override readonly headers: Readonly<Record<string, string>>;

  constructor(message: string, invalidToken: boolean) {
    super(message);
    const challenge = invalidToken
      ? `Bearer realm="sse-gateway", error="invalid_token", error_description="${message.replace(/["\\]/g, "'")}"`
      : 'Bearer realm="sse-gateway"';
    this.headers = { 'WWW-Authenticate': challenge };
  }
}
