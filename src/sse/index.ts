// The public face of the reusable module: everything an application imports comes from here.

/** The module: `SseModule.forRoot({ redis })`, `SseModule.forFeature([{ name }])`. */
export { SseModule, type ChannelDefinition } from './sse.module.js';
/** Options of `forRoot` / `forRootAsync`, and with defaults filled in. */
export type { SseModuleOptions, ResolvedSseOptions } from './interfaces/sse-module-options.interface.js';
/** Event maps, publish and stream options, history entries. */
export type {
  EventMap,
  OutgoingEvent,
  AnyOutgoingEvent,
  PublishOptions,
  PublishedEvent,
  StreamOptions,
  HistoryEvent,
} from './interfaces/channel.interface.js';
/** Injection token of the resolved options. */
export { SSE_OPTIONS } from './sse.tokens.js';

/** A named channel: `next()` publishes cluster-wide, `stream()` replays then goes live. */
export { Channel } from './channel/channel.js';
/** Channels by name at run time, publishing, history and stream handles. */
export { SseHub, type StreamHandle, type StreamSink, type ChannelPolicy } from './channel/sse-hub.service.js';
/** The Nest `MessageEvent` that `Channel.stream()` emits for `@Sse()` handlers. */
export type { SseMessageEvent } from './channel/message-events.js';
/** Items of a stream (event, reset, start position) for custom writers. */
export { ChannelEvent, type StreamItem } from './channel/channel-event.js';
/** Items of a several-channel stream, each with its composite position. */
export type { MultiStreamItem } from './channel/multi-channel-reader.js';

/** `@InjectChannel(name)` and `@LastEventId()`. */
export { InjectChannel } from './decorators/inject-channel.decorator.js';
/** The client's position: `Last-Event-ID`, else `?lastEventId=` (also as a plain function). */
export { LastEventId, readLastEventId } from './decorators/last-event-id.decorator.js';
/** The injection token of a channel (what `@InjectChannel` injects). */
export { getChannelToken } from './utils/channel-token.util.js';
/** Channel patterns (`*` one segment, `**` the rest, `{sub}` a token's subject), one language for the whole project. */
export { channelMatcher, parseChannelPattern, patternRegExp } from './utils/channel-pattern.util.js';
/** Channel name and event type checks. */
export { isValidChannelName, assertChannelName, assertPublishableEventType, isReservedEventType } from './utils/names.util.js';

/** The broker seam and its two implementations. */
export {
  Broker,
  type BrokerEvent,
  type BrokerHealth,
  type BrokerListener,
  type BrokerSubscription,
  type HistoryPage,
  type HistoryQuery,
  type PublishRequest,
  type PublishResult,
  type ResetReason,
} from './broker/broker.interface.js';
/** The embedded default broker: one process, a ring buffer of history per channel. */
export { MemoryBroker, type MemoryBrokerOptions } from './broker/memory.broker.js';
/** The Redis broker: Streams for ids and history, pub/sub for live delivery, one server or a cluster. */
export { RedisBroker } from './broker/redis.broker.js';
/** Reads the `redis` option: one server, a Redis Cluster (`redis+cluster://h1:p1,h2:p2`) or Sentinel (`redis+sentinel://s1:p1,s2:p2/name`). */
export {
  parseRedisTarget,
  parseRedisNodeList,
  isRedisClusterUrl,
  isRedisSentinelUrl,
  type RedisTarget,
  type RedisNodeAddress,
} from './broker/redis-url.util.js';
/** A command connection to one Redis server, a Sentinel-named master or a cluster, from a `redis` option and its TLS / Sentinel settings. */
export { createRedisClient, type RedisConnectionSettings } from './broker/redis-client.util.js';
/** TLS material for a managed Redis (`redisTls` of `forRoot`). */
export type { RedisTlsOptions } from './broker/redis-tls.util.js';

/** Serving streams on raw responses (shared frame bytes, bounded buffers) and their registry. */
export { SseResponder } from './http/sse-responder.service.js';
/** Every stream of this instance: admission, heartbeats, counts, drain on shutdown. */
export { ConnectionRegistry, type ConnectionStats } from './http/connection-registry.service.js';
/** The headers every stream is sent with. */
export { EVENT_STREAM_HEADERS } from './http/sse-connection.js';

/** Even spread of streams over the instances, and the presence it is built on. */
export { Rebalancer } from './cluster/rebalancer.service.js';
/** Instances report their stream counts here, with an expiry (memory or Redis). */
export { ClusterPresence, type InstancePresence } from './cluster/presence.interface.js';
/** The rebalancing rule on its own: how many streams to shed now. */
export { planRebalance } from './cluster/rebalance-plan.js';

/** Errors the module throws on purpose, each with the HTTP status it stands for. */
export {
  SseError,
  InvalidInputError,
  PayloadTooLargeError,
  BrokerUnavailableError,
  StreamRefusedError,
} from './errors/index.js';

/** Event-stream framing, spec-exact. */
export {
  encodeEvent,
  encodeComment,
  encodeRetry,
  encodeIdOnly,
} from './wire/event-stream.encoder.js';
/** Reserved event types and name patterns. */
export { RESERVED_EVENT_TYPES, RESERVED_EVENT_PREFIX, CHANNEL_NAME_PATTERN, EVENT_TYPE_PATTERN } from './sse.constants.js';
