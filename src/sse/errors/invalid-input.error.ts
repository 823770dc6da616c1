import { SseError } from './sse.error.js';

/** A channel name, event type, key or other client input the gateway refuses (HTTP 400). */
export class InvalidInputError extends SseError {
  readonly status = 400;
}
