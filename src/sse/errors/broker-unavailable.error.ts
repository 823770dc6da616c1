import { brokerUnavailable } from '../sse.messages.js';
import { SseError } from './sse.error.js';

/**
 * The broker could not confirm an operation in time (HTTP 503). For a publish, the event
 * may or may not be stored: a retry with the same idempotency key is safe.
 */
export class BrokerUnavailableError extends SseError {
  readonly status = 503;

  constructor(detail: string) {
    super(brokerUnavailable(detail));
  }
}
