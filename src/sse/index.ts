// What an application imports. Everything else (brokers' own classes, the stream writer,
// framing, cluster internals) is in `nest-sse-gateway/internals`.

/** The module: `forRoot({ redis, http })` once, `forFeature([{ name }])` where channels are injected. */
export { SseModule, type ChannelDefinition } from './sse.module.js';
/** Its options (every one has a default; README: Configuration). */
export type { SseModuleOptions } from './interfaces/sse-module-options.interface.js';
export type { SseHttpOptions, JwtAuthorizationOptions, ClientLimitsOptions } from './interfaces/sse-http-options.interface.js';
export type { RedisTlsOptions } from './broker/redis-tls.util.js';

/** A named channel (`next()` publishes cluster-wide, `stream()` replays then goes live) and channels by name. */
export { Channel } from './channel/channel.js';
export { SseHub, type ChannelPolicy } from './channel/sse-hub.service.js';
/** `@InjectChannel(name)`, and `@LastEventId()` for an `@Sse()` handler. */
export { InjectChannel } from './decorators/inject-channel.decorator.js';
export { LastEventId } from './decorators/last-event-id.decorator.js';
/** What `@InjectChannel(name)` injects, for tests: `overrideProvider(getChannelToken('orders'))`. */
export { getChannelToken } from './utils/channel-token.util.js';
/** Typed events, shared with the browser client (`Channel<OrderEvents>`, `client.channel<OrderEvents>()`). */
export type { EventMap, OutgoingEvent, PublishOptions, PublishedEvent, StreamOptions, HistoryEvent } from './interfaces/channel.interface.js';

/**
 * Publishing from other services over Nest's Redis transport: `forRoot({ transport: true })`,
 * then `connectSseTransport(app)`; senders emit `SSE_PUBLISH_PATTERN` through a `ClientProxy`
 * whose serializer is `SsePublishSerializer` (README: Publishing from other services).
 */
export { connectSseTransport, type SseTransportConnectOptions } from './transport/connect-sse-transport.js';
export { sseTransportOptions } from './transport/sse-transport.options.js';
export { SsePublishSerializer } from './transport/sse-publish.serializer.js';
export { SSE_PUBLISH_PATTERN } from './transport/transport.constants.js';
export type { SsePublishMessage } from './transport/sse-publish-message.js';

/** The authorization seam of the HTTP API: implement it with your session or Passport strategy. */
export { ChannelAuthorizer, type ChannelAction, type ChannelAccessRequest, type ChannelRequest } from './auth/channel-authorizer.interface.js';
export type { AccessGrant } from './auth/access-grant.js';
export { UnauthorizedError } from './auth/unauthorized.error.js';
export { ForbiddenError } from './auth/forbidden.error.js';
export { AuthUnavailableError } from './auth/auth-unavailable.error.js';

/** The broker seam: bring your own transport (`forRoot({ broker })`). */
export { Broker, type BrokerEvent, type BrokerListener, type BrokerSubscription, type HistoryPage, type HistoryQuery, type PublishRequest, type PublishResult } from './broker/broker.interface.js';

/** The metrics seam (`forRoot({ metrics })`): what is counted, and the prom-client registry to serve at `GET /metrics`. */
export { SseMetrics, type PublishOutcome, type RedisRole, type TransportCounts } from './metrics/sse-metrics.interface.js';
export type { SseMetricsOptions } from './interfaces/sse-metrics-options.interface.js';
export { SSE_METRICS_REGISTRY } from './sse.tokens.js';
/**
 * Nest's Express adapter with requests and responses built with Express's prototypes, so
 * Express 5 does not switch them per request: `NestFactory.create(AppModule, new SseExpressAdapter())`.
 */
export { SseExpressAdapter } from './http/sse-express-adapter.js';
/** The HTTP API in a host application's OpenAPI document: `addSseOpenApi(new DocumentBuilder())` adds the security schemes and tags its operations refer to. */
export { addSseOpenApi, SSE_SECURITY } from './http/openapi/sse-openapi.js';

/** Errors the module throws on purpose, each with the HTTP status it stands for. */
export { SseError, InvalidInputError, PayloadTooLargeError, BrokerUnavailableError, StreamRefusedError, InvalidSseOptionsError } from './errors/index.js';
