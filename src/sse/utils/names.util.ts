import {
  CHANNEL_NAME_PATTERN,
  EVENT_TYPE_PATTERN,
  RESERVED_EVENT_PREFIX,
  RESERVED_EVENT_TYPES,
} from '../sse.constants.js';
import { InvalidInputError } from '../errors/index.js';
import { invalidChannelName, invalidEventType, reservedEventType } from '../sse.messages.js';

export function isValidChannelName(name: unknown): name is string {
  return typeof name === 'string' && CHANNEL_NAME_PATTERN.test(name);
}

/** Throws `InvalidInputError` unless `name` is a valid channel name. */
export function assertChannelName(name: unknown): asserts name is string {
  if (!isValidChannelName(name)) throw new InvalidInputError(invalidChannelName(String(name)));
}

export function isReservedEventType(type: string): boolean {
  return RESERVED_EVENT_TYPES.has(type) || type.startsWith(RESERVED_EVENT_PREFIX);
}

/**
 * Throws `InvalidInputError` unless `type` may be published: the pattern keeps line breaks
 * (and so injected frames) out, the reserved list keeps publishers from faking the
 * gateway's own events.
 */
export function assertPublishableEventType(type: unknown): asserts type is string {
  if (typeof type !== 'string' || !EVENT_TYPE_PATTERN.test(type)) {
    throw new InvalidInputError(invalidEventType(String(type)));
  }
  if (isReservedEventType(type)) throw new InvalidInputError(reservedEventType(type));
}
