import { InvalidInputError } from '../../sse/index.js';

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
    throw new InvalidInputError('a JSON body is required: {"data": <any JSON>, "event": "<type>"?} with Content-Type: application/json');
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new InvalidInputError('the body must be a JSON object: {"data": <any JSON>, "event": "<type>"?}');
  }
  const unknown = Object.keys(body).filter((key) => !ALLOWED_FIELDS.has(key));
  if (unknown.length > 0) {
    throw new InvalidInputError(`unknown field(s) ${unknown.map((k) => JSON.stringify(k)).join(', ')}: only "data" and "event" are accepted`);
  }
  const { data, event } = body as { data?: unknown; event?: unknown };
  if (!('data' in body)) throw new InvalidInputError('"data" is required: any JSON value');
  if (event !== undefined && typeof event !== 'string') {
    throw new InvalidInputError('"event" must be a string');
  }
  return event === undefined ? { data } : { data, event };
}

/** `Idempotency-Key`: 1-200 visible ASCII characters, or absent. */
export function parseIdempotencyKey(header: string | string[] | undefined): string | undefined {
  if (header === undefined) return undefined;
  const value = Array.isArray(header) ? header[0] : header;
  if (value === undefined || !/^[\x21-\x7e]{1,200}$/.test(value)) {
    throw new InvalidInputError('Idempotency-Key must be 1-200 visible ASCII characters');
  }
  return value;
}
