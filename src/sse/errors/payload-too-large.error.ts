import { SseError } from './sse.error.js';

/** An event (or request body) over the configured size limit (HTTP 413). */
export class PayloadTooLargeError extends SseError {
  readonly status = 413;
}
