import { SseError } from '../../sse/index.js';

/** The keys to check a token with cannot be fetched (JWKS down): the client retries (HTTP 503). */
export class AuthUnavailableError extends SseError {
  readonly status = 503;
  readonly headers: Readonly<Record<string, string>> = { 'Retry-After': '5' };
}
