import { SseError } from '../errors/sse.error.js';

/** The keys to check a token with cannot be fetched (JWKS down): the client retries (HTTP 503). */
export class AuthUnavailableError extends SseError {
  readonly status = 503;
  override readonly headers: Readonly<Record<string, string>> = { 'Retry-After': '5' };
}
