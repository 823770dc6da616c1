// The second entry point (`nest-sse-gateway/internals`): what the ready gateway and
// advanced users need beyond the application-facing one (`index.ts`).

export * from './index.js';

/** Options with defaults filled in, their one home (`SSE_DEFAULTS`), and their checks. */
export { SSE_OPTIONS } from './sse.tokens.js';
export { SSE_DEFAULTS, MIN_CHANNEL_TTL_MS, RESERVED_EVENT_TYPES, RESERVED_EVENT_PREFIX, CHANNEL_NAME_PATTERN, EVENT_TYPE_PATTERN, CONNECTED_EVENT, TOKEN_EXPIRED_EVENT } from './sse.constants.js';
export { resolveSseOptions, sseOptionProblems } from './sse.options.js';
export type { ResolvedSseOptions } from './interfaces/sse-module-options.interface.js';
export type { ResolvedHttpOptions, ResolvedJwtOptions, ResolvedClientLimits, JwtKey } from './interfaces/sse-http-options.interface.js';
export type { OptionProblem } from './errors/invalid-options.error.js';

/** The built-in brokers and Redis connection helpers. */
export { MemoryBroker, type MemoryBrokerOptions } from './broker/memory.broker.js';
export { RedisBroker } from './broker/redis.broker.js';
export type { BrokerHealth, ResetReason } from './broker/broker.interface.js';
export { parseRedisTarget, parseRedisNodeList, isRedisClusterUrl, isRedisSentinelUrl, type RedisTarget, type RedisNodeAddress } from './broker/redis-url.util.js';
export { createRedisClient, type RedisConnectionSettings } from './broker/redis-client.util.js';

/** Positions: one channel's (`StreamPosition`, the event id's value) and several channels' (a stream's composite id). */
export { StreamPosition } from './position/stream-position.js';
export { CompositePosition } from './position/composite-position.js';

/** Streams: items, requests and sinks, the one writer, the registry of open streams. */
export { ChannelEvent, type StreamItem } from './channel/channel-event.js';
export type { StreamHandle, StreamSink } from './channel/stream-sink.js';
export { StreamFactory, type StreamRequest } from './channel/stream-request.js';
export { readLastEventId } from './decorators/last-event-id.decorator.js';
export { SseStreamWriter } from './stream/sse-stream-writer.service.js';
export { SseStreamInterceptor } from './stream/sse-stream.interceptor.js';
export { ConnectionRegistry, type ConnectionStats } from './stream/connection-registry.service.js';
export { CLOSE_REASONS, type CloseReason } from './stream/sse-connection.js';
export { EVENT_STREAM_HEADERS } from './stream/event-stream-headers.js';
export { setStreamExpiry } from './stream/stream-expiry.js';
export { encodeEvent, encodeComment, encodeRetry } from './wire/event-stream.encoder.js';

/** Metrics: the prom-client implementation and the one that counts nothing. */
export { PrometheusSseMetrics, OTHER_CHANNEL } from './metrics/prometheus.metrics.js';
export { NOOP_SSE_METRICS } from './metrics/noop.metrics.js';
export type { ResolvedSseMetricsOptions } from './interfaces/sse-metrics-options.interface.js';

/** The sse.publish consumer: its counts (for metrics), its parts, the Redis transport it runs on. */
export { SseTransportStats, type SseTransportCounts } from './transport/sse-transport.stats.js';
export { SSE_PUBLISH_REJECT_REASONS, SSE_PUBLISH_FAILURE_REASONS, type SsePublishRejectReason, type SsePublishFailureReason } from './transport/transport.constants.js';
export { SseTransportModule } from './transport/sse-transport.module.js';
export { SsePublishConsumer } from './transport/sse-publish.consumer.js';
export { SsePublishController } from './transport/sse-publish.controller.js';
export { SseRedisServer, type SseRedisServerHooks } from './transport/sse-redis.server.js';
export { readPublishMessage, OversizedMessage } from './transport/sse-publish-message.js';
export type { RedisTransportOptions } from './transport/sse-transport.options.js';

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
export { errorBody, sendError, type ErrorBody } from './errors/error-body.js';
export { JwtChannelAuthorizer } from './auth/jwt-channel.authorizer.js';
export { findToken, TOKEN_COOKIE, TOKEN_QUERY, type TokenSource } from './auth/token-sources.util.js';
export { OpenChannelAuthorizer } from './auth/open-channel.authorizer.js';
export { TooManyRequestsError } from './limits/too-many-requests.error.js';
export { ClientAddressResolver } from './limits/client-address.util.js';
export { RateLimitStore, type RateLimitHit } from './limits/rate-limit-store.interface.js';
export { MemoryRateLimitStore } from './limits/memory-rate-limit.store.js';
export { RedisRateLimitStore } from './limits/redis-rate-limit.store.js';
