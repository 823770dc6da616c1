/** Prefix of the injection token of a DI-provided channel; see `getChannelToken`. */
export const CHANNEL_TOKEN_PREFIX = 'SseChannel:';

/** Event types the gateway sends itself; publishers may not use them. */
export const RESERVED_EVENT_TYPES: ReadonlySet<string> = new Set(['reset', 'error']);

/**
 * Sent first on every stream: `{"instance": "<id>"}`, the instance serving it; its `id:`
 * is the stream's position when the client had none.
 */
export const CONNECTED_EVENT = 'sse.connected';

/** Sent last, without an `id:`, when the credential a stream was opened with expires. */
export const TOKEN_EXPIRED_EVENT = 'sse.token-expired';

/** Every event type starting with this is reserved for the gateway's own later events. */
export const RESERVED_EVENT_PREFIX = 'sse.';

/** Channel names: 1-128 characters of `A-Z a-z 0-9 . _ : -`. */
export const CHANNEL_NAME_PATTERN = /^[A-Za-z0-9._:-]{1,128}$/;

/** Event types: 1-64 characters of `A-Z a-z 0-9 . _ : -`. */
export const EVENT_TYPE_PATTERN = /^[A-Za-z0-9._:-]{1,64}$/;

/**
 * Defaults of the module options, the one place they live (the README's configuration
 * table lists them; the gateway passes what the environment sets and leaves the rest).
 */
export const SSE_DEFAULTS = {
  historyLimit: 1000,
  heartbeatMs: 15_000,
  retryMs: 3_000,
  maxBufferBytes: 1024 * 1024,
  maxChannelsPerStream: 32,
  maxEventBytes: 65_536,
  publishTimeoutMs: 2_000,
  keyPrefix: 'sse:',
  drainMs: 5_000,
  rebalanceRatio: 1.25,
  rebalanceRate: 5,
  presenceIntervalMs: 1_000,
  jwtClockToleranceS: 5,
  streamTokenTtlS: 60,
  publishRateWindowMs: 10_000,
  minReplicasAck: 0,
  ackTimeoutMs: 1_000,
  channelTtlMs: 0,
} as const;

/** Shortest channel TTL the module takes, ms: its keep-alive runs every third of it. */
export const MIN_CHANNEL_TTL_MS = 1_000;
