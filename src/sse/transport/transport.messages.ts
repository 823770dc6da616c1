// Every text the publish transport logs, in one place. Payloads and keys are never echoed.

import type { SsePublishFailureReason, SsePublishRejectReason } from './transport.constants.js';

export const publishRejected = (reason: SsePublishRejectReason, detail: string, channel?: string) =>
  `sse.publish message rejected (${reason})${channel === undefined ? '' : ` for channel ${channel}`}: ${detail}`;

export const publishNotStored = (reason: SsePublishFailureReason, detail: string, channel: string) =>
  `sse.publish message for channel ${channel} not stored by this instance (${reason}): ${detail}`;

export const rejectionsNotLogged = (count: number, what: string, windowMs: number) =>
  `${count} more sse.publish messages ${what} in the last ${Math.round(windowMs / 1000)} s were not logged`;

export const notAnObject = (got: string) =>
  `the message must be an object {channel, event?, data, idempotencyKey?}, got ${got}`;

export const unknownFields = (names: readonly string[]) =>
  `unknown field${names.length > 1 ? 's' : ''} ${names.slice(0, 5).map((n) => JSON.stringify(n.slice(0, 40))).join(', ')}${names.length > 5 ? ', …' : ''}: a message has channel, event, data and idempotencyKey`;

export const channelNotString = (got: string) => `"channel" must be a channel name, got ${got}`;

export const eventNotString = (got: string) => `"event" must be a string, got ${got}`;

export const missingKey =
  'no idempotencyKey: every gateway instance receives the message, and only its key lets exactly one of them store it; ' +
  'create the ClientProxy with SsePublishSerializer, or give every message a unique key';

export const invalidKey = 'idempotencyKey must be a string of 1-200 visible ASCII characters';

export const oversizedUnread = (chars: number, max: number) =>
  `the message is ${chars} characters long, over the ${max} read at most; dropped unread`;

export const unreadable = (detail: string) => `Nest could not read the message: ${detail}`;

export const backlogFull = (messages: number, bytes: number) =>
  `${messages} messages (${bytes} bytes) already wait to be stored on this instance`;

export const transportNotRegistered =
  'connectSseTransport() needs SseModule.forRoot({ transport: true }) (or forRootAsync({ transport: true, ... })) imported in the application';

export const transportNeedsRedis =
  'connectSseTransport() needs a Redis URL: SseModule.forRoot({ redis }) or connectSseTransport(app, { url })';

export const transportUnsupportedUrl = (scheme: string) =>
  `the sse.publish transport cannot use a ${scheme} URL: give it redis://, rediss://, a redis+sentinel:// URL or a redis+cluster:// seed list`;

export const transportRedisLost = (reason: string) =>
  `Redis connection of the sse.publish consumer lost (${reason}); reconnecting (messages emitted meanwhile do not reach this instance)`;

export const transportRedisBack = 'Redis connection of the sse.publish consumer back; consuming again';

export const transportNotReadyAtStart = (ms: number) =>
  `Redis not ready after ${ms} ms; the sse.publish consumer subscribes once it answers`;

export const transportSubscribeFailed = (reason: string) =>
  `subscribing to sse.publish failed (${reason}); ioredis subscribes again when it reconnects`;

/** A short description of a value's kind, for messages (never the value itself). */
export function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return 'a string';
  if (typeof value === 'object') return 'an object';
  return typeof value === 'undefined' ? 'nothing' : `a ${typeof value}`;
}
