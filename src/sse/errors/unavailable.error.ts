import { SseError } from './sse.error.js';

/**
 * This instance takes no new stream right now (full, or draining before it stops); the
 * client should come back later or elsewhere (HTTP 503 with `Retry-After`).
 */
export class StreamRefusedError extends SseError {
  readonly status = 503;
  override readonly headers: Readonly<Record<string, string>>;

  constructor(
    message: string,
    /** Seconds the client should wait. */
    readonly retryAfterSeconds: number,
  ) {
    super(message);
    this.headers = { 'Retry-After': String(retryAfterSeconds) };
  }
}
