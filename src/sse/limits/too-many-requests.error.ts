import { SseError } from '../errors/sse.error.js';

/** A client over one of its limits (HTTP 429 with `Retry-After`). */
export class TooManyRequestsError extends SseError {
  readonly status = 429;
  override readonly headers: Readonly<Record<string, string>>;

  constructor(message: string, retryAfterSeconds: number) {
    super(message);
    this.headers = { 'Retry-After': String(Math.max(1, Math.ceil(retryAfterSeconds))) };
  }
}
