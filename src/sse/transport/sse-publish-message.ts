import { dataRequired, eventTooLarge, invalidChannelName, invalidEventType, reservedEventType, unserializableData } from '../sse.messages.js';
import { EVENT_TYPE_PATTERN } from '../sse.constants.js';
import { isReservedEventType, isValidChannelName } from '../utils/names.util.js';
import type { SsePublishRejectReason } from './transport.constants.js';
import {
  channelNotString,
  eventNotString,
  invalidKey,
  kindOf,
  missingKey,
  notAnObject,
  oversizedUnread,
  unknownFields,
} from './transport.messages.js';
import { errorMessage } from '../utils/error-message.util.js';

/**
 * What another service emits: `client.emit('sse.publish', message)`. The same fields as the
 * REST publish (`POST /channels/{channel}/events` with `{data, event?}` and `Idempotency-Key`).
 */
export interface SsePublishMessage {
  /** Channel name: 1-128 characters of `A-Z a-z 0-9 . _ : -`. */
  readonly channel: string;
  /** Event type (1-64 characters of the same set, not a reserved one); none: a plain `message`. */
  readonly event?: string;
  /** Any JSON value (`null` included), at most `maxEventBytes` bytes as JSON. */
  readonly data: unknown;
  /**
   * 1-200 visible ASCII characters, unique per event (a UUID). Required: every gateway
   * instance receives the message and only the key lets exactly one of them store it.
   * `SsePublishSerializer` adds one to every message that has none.
   */
  readonly idempotencyKey?: string;
}

/** A message the transport handed on without reading it, because it was too long. */
export class OversizedMessage {
  constructor(
    readonly chars: number,
    readonly maxChars: number,
  ) {}
}

/** A message that passed every check, with its data's size as JSON. */
export interface AcceptedMessage {
  readonly ok: true;
  readonly message: SsePublishMessage & { readonly idempotencyKey: string };
  readonly bytes: number;
}

/** Why a message is refused; `channel` when the message named a valid one. */
export interface RejectedMessage {
  readonly ok: false;
  readonly reason: SsePublishRejectReason;
  readonly detail: string;
  readonly channel?: string;
}

const FIELDS = new Set(['channel', 'event', 'data', 'idempotencyKey']);
const KEY_PATTERN = /^[\x21-\x7e]{1,200}$/; // the REST publish's Idempotency-Key rule

/**
 * Checks a received `sse.publish` payload against the rules of the REST publish (the hub
 * checks them again when it stores), cheapest first, and measures its data.
 */
export function readPublishMessage(value: unknown, maxEventBytes: number): AcceptedMessage | RejectedMessage {
  if (value instanceof OversizedMessage) return reject('too-large', oversizedUnread(value.chars, value.maxChars));
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return reject('not-an-object', notAnObject(kindOf(value)));
  const fields = value as Record<string, unknown>;
  const unknown = Object.keys(fields).filter((name) => !FIELDS.has(name));
  if (unknown.length > 0) return reject('unknown-field', unknownFields(unknown));
  const { channel, event, data, idempotencyKey } = fields;
  if (typeof channel !== 'string') return reject('invalid-channel', channelNotString(kindOf(channel)));
  if (!isValidChannelName(channel)) return reject('invalid-channel', invalidChannelName(channel));
  if (!('data' in fields) || data === undefined) return reject('missing-data', dataRequired, channel);
  if (event !== undefined) {
    if (typeof event !== 'string') return reject('invalid-event', eventNotString(kindOf(event)), channel);
    if (!EVENT_TYPE_PATTERN.test(event)) return reject('invalid-event', invalidEventType(event), channel);
    if (isReservedEventType(event)) return reject('reserved-event', reservedEventType(event), channel);
  }
  if (idempotencyKey === undefined) return reject('missing-key', missingKey, channel);
  if (typeof idempotencyKey !== 'string' || !KEY_PATTERN.test(idempotencyKey)) return reject('invalid-key', invalidKey, channel);
  let text: string | undefined;
  try {
    text = JSON.stringify(data);
  } catch (error) {
    return reject('invalid-data', unserializableData(errorMessage(error)), channel);
  }
  if (text === undefined) return reject('invalid-data', unserializableData('not a JSON value'), channel);
  const bytes = Buffer.byteLength(text);
  if (bytes > maxEventBytes) return reject('too-large', eventTooLarge(bytes, maxEventBytes), channel);
  return {
    ok: true,
    message: { channel, data, idempotencyKey, ...(event === undefined ? {} : { event: event as string }) },
    bytes,
  };
}

function reject(reason: SsePublishRejectReason, detail: string, channel?: string): RejectedMessage {
  return channel === undefined ? { ok: false, reason, detail } : { ok: false, reason, detail, channel };
}
