// The second entry point (`nest-sse-gateway/internals`): what the ready gateway and
// advanced users need beyond the application-facing one (`index.ts`).

export * from './index.js';

/** Options with defaults filled in, their one home (`SSE_DEFAULTS`), and their checks. */
export { SSE_OPTIONS } from './sse.tokens.js';
export { SSE_DEFAULTS, RESERVED_EVENT_TYPES, RESERVED_EVENT_PREFIX, CHANNEL_NAME_PATTERN, EVENT_TYPE_PATTERN, CONNECTED_EVENT } from './sse.constants.js';
export { resolveSseOptions, sseOptionProblems } from './sse.options.js';
export type { ResolvedSseOptions } from './interfaces/sse-module-options.interface.js';
export type { ResolvedHttpOptions, ResolvedJwtOptions, ResolvedClientLimits, JwtKey } from './interfaces/sse-http-options.interface.js';
export type { OptionProblem } from './errors/invalid-options.error.js';

/** The built-in brokers and Redis connection helpers. */
export { MemoryBroker, type MemoryBrokerOptions } from './broker/memory.broker.js';
export { RedisBroker } from './broker/redis.broker.js';
export type { BrokerHealth, ResetReason } from './broker/broker.interface.js';
export { parseRedisTarget, parseRedisNodeList, isRedisClusterUrl, type RedisTarget, type RedisNodeAddress } from './broker/redis-url.util.js';
export { createRedisClient } from './broker/redis-client.util.js';

/** Streams: items, the writer, the registry of open streams. */
export { ChannelEvent, type StreamItem } from './channel/channel-event.js';
export type { MultiStreamItem } from './channel/multi-channel-reader.js';
export type { StreamHandle, StreamSink } from './channel/sse-hub.service.js';
export type { SseMessageEvent } from './channel/message-events.js';
export { readLastEventId } from './decorators/last-event-id.decorator.js';
export { getChannelToken } from './utils/channel-token.util.js';
export { SseResponder } from './stream/sse-responder.service.js';
export { ConnectionRegistry, type ConnectionStats } from './stream/connection-registry.service.js';
export { EVENT_STREAM_HEADERS } from './stream/sse-connection.js';
export { encodeEvent, encodeComment, encodeRetry, encodeIdOnly } from './wire/event-stream.encoder.js';

/** Cluster: presence, the even spread of streams. */
export { Rebalancer, type RebalancerView } from './cluster/rebalancer.service.js';
export { ClusterPresence, type InstancePresence, type ChannelSubscribers } from './cluster/presence.interface.js';
export { ChannelPresenceService, type ChannelPresence } from './cluster/channel-presence.service.js';
export { planRebalance } from './cluster/rebalance-plan.js';

/** Names and channel patterns (one pattern language for the whole project). */
export { channelMatcher, parseChannelPattern, patternRegExp } from './utils/channel-pattern.util.js';
export { isValidChannelName, assertChannelName, assertPublishableEventType, isReservedEventType } from './utils/names.util.js';

/** The HTTP API's parts: its error answers, the built-in authorizers, client addresses. */
export { SseHttpErrorFilter } from './http/http-error.filter.js';
export { errorBody, type ErrorBody } from './http/error-body.js';
export { JwtChannelAuthorizer } from './auth/jwt-channel.authorizer.js';
export { findToken, TOKEN_COOKIE, TOKEN_QUERY, type TokenSource } from './auth/token-sources.util.js';
export { OpenChannelAuthorizer } from './auth/open-channel.authorizer.js';
export { AuthUnavailableError } from './auth/auth-unavailable.error.js';
export { TooManyRequestsError } from './limits/too-many-requests.error.js';
export { ClientAddressResolver } from './limits/client-address.util.js';
export { RateLimitStore, type RateLimitHit } from './limits/rate-limit-store.interface.js';
export { MemoryRateLimitStore } from './limits/memory-rate-limit.store.js';
export { RedisRateLimitStore } from './limits/redis-rate-limit.store.js';
