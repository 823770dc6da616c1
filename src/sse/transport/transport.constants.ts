/**
 * The event pattern other services emit to: `client.emit('sse.publish', { channel, event?, data, idempotencyKey? })`.
 * With Nest's Redis transport it is also the Redis pub/sub channel the message travels on.
 */
export const SSE_PUBLISH_PATTERN = 'sse.publish';

/**
 * Why a message was refused; each is counted (`SseTransportStats.rejected`) and logged.
 * `unreadable`: Nest could not read it at all.
 */
export const SSE_PUBLISH_REJECT_REASONS = [
  'not-an-object',
  'unknown-field',
  'invalid-channel',
  'missing-data',
  'invalid-event',
  'reserved-event',
  'too-large',
  'invalid-data',
  'missing-key',
  'invalid-key',
  'unreadable',
] as const;

export type SsePublishRejectReason = (typeof SSE_PUBLISH_REJECT_REASONS)[number];

/**
 * Why a valid message was not stored by this instance: the broker did not confirm the store
 * (`unavailable`), or this instance's backlog was full (`backlog-full`). Another instance
 * may have stored it (each one receives every message).
 */
export const SSE_PUBLISH_FAILURE_REASONS = ['unavailable', 'backlog-full'] as const;

export type SsePublishFailureReason = (typeof SSE_PUBLISH_FAILURE_REASONS)[number];

/** Messages waiting to be stored on this instance, at most (every channel together). */
export const MAX_PENDING_MESSAGES = 10_000;

/** Bytes of event data waiting to be stored on this instance, at most. */
export const MAX_PENDING_BYTES = 64 * 1024 * 1024;

/**
 * A raw transport message longer than this many times `maxEventBytes` (plus room for the
 * envelope) is dropped unread: it cannot hold an event of the allowed size, and parsing it
 * would only cost time.
 */
export const RAW_MESSAGE_FACTOR = 4;
export const RAW_MESSAGE_ENVELOPE_CHARS = 4096;

/** How long the transport waits for Redis at start before going on without it, ms. */
export const TRANSPORT_CONNECT_WAIT_MS = 2_000;

/** Rejection log lines per reason per window, and the window, ms: a flood cannot fill the log. */
export const REJECTION_LOG_LINES = 10;
export const REJECTION_LOG_WINDOW_MS = 10_000;

/** Injection token of `true` when `forRoot({ transport: true })` mounted the consumer (always provided). */
export const SSE_TRANSPORT = Symbol('SSE_TRANSPORT');
