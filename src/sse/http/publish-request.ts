import { InvalidInputError } from '../errors/invalid-input.error.js';
import { dataRequired, invalidIdempotencyKey } from '../sse.messages.js';
import { publishBodyNotObject, publishBodyRequired, publishEventNotString, publishUnknownFields } from './http.messages.js';

/** A validated `POST /channels/:channel/events` body. */
export interface PublishRequestBody {
  readonly data: unknown;
  readonly event?: string;
}

const ALLOWED_FIELDS = new Set(['data', 'event']);

/**
 * Checks the shape of a publish body: an object with `data` (any JSON value, `null`
 * included) and an optional `event` string. The event type's own rules are the hub's.
 */
export function parsePublishBody(body: unknown): PublishRequestBody {
  if (body === undefined) {
    throw new InvalidInputError(publishBodyRequired);
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new InvalidInputError(publishBodyNotObject);
  }
  const unknown = Object.keys(body).filter((key) => !ALLOWED_FIELDS.has(key));
  if (unknown.length > 0) {
    throw new InvalidInputError(publishUnknownFields(unknown));
  }
  const { data, event } = body as { data?: unknown; event?: unknown };
  if (!('data' in body)) throw new InvalidInputError(dataRequired);
  if (event !== undefined && typeof event !== 'string') {
    throw new InvalidInputError(publishEventNotString);
  }
  return event === undefined ? { data } : { data, event };
}

/** `Idempotency-Key`: 1-200 visible ASCII characters, or absent. */
export function parseIdempotencyKey(header: string | string[] | undefined): string | undefined {
  if (header === undefined) return undefined;
  const value = Array.isArray(header) ? header[0] : header;
  if (value === undefined || !/^[\x21-\x7e]{1,200}$/.test(value)) {
    throw new InvalidInputError(invalidIdempotencyKey);
  }
  return value;
}
