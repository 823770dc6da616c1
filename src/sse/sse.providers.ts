import { Logger, type OnApplicationShutdown, type Provider } from '@nestjs/common';
import { Broker } from './broker/broker.interface.js';
import { MemoryBroker } from './broker/memory.broker.js';
import { RedisBroker } from './broker/redis.broker.js';
import { SseHub } from './channel/sse-hub.service.js';
import { ChannelPresenceService } from './cluster/channel-presence.service.js';
import { MemoryPresence } from './cluster/memory.presence.js';
import { METRICS_PROVIDERS } from './metrics/metrics.providers.js';
import { SseMetrics } from './metrics/sse-metrics.interface.js';
import { ClusterPresence } from './cluster/presence.interface.js';
import { Rebalancer } from './cluster/rebalancer.service.js';
import { RedisPresence } from './cluster/redis.presence.js';
import { StreamFactory } from './channel/stream-request.js';
import { ChannelStreamFactory } from './stream/channel-stream.factory.js';
import { ConnectionRegistry } from './stream/connection-registry.service.js';
import { SseStreamWriter } from './stream/sse-stream-writer.service.js';
import { SseStreamInterceptor } from './stream/sse-stream.interceptor.js';
import { SseStreamRoutes } from './stream/sse-stream-routes.js';
import type { SseHttpOptions } from './interfaces/sse-http-options.interface.js';
import type { ResolvedSseOptions, SseModuleOptions } from './interfaces/sse-module-options.interface.js';
import { MODULE_OPTIONS_TOKEN } from './sse.module-definition.js';
import { redisConnectionSettings, resolveSseOptions } from './sse.options.js';
import { SSE_HTTP_MOUNT, SSE_METRICS_REGISTRY, SSE_OPTIONS } from './sse.tokens.js';

/** The broker this module made, with the shutdown hook that closes it. */
class OwnedBroker implements OnApplicationShutdown {
  constructor(readonly broker: Broker) {}

  onApplicationShutdown(): Promise<void> {
    return this.broker.close();
  }
}

const OWNED_BROKER = Symbol('OWNED_BROKER');

/** Makes the broker the options ask for: Redis when a URL is set, else in memory. */
export async function createBroker(options: ResolvedSseOptions, metrics?: SseMetrics): Promise<Broker> {
  if (!options.redis) return new MemoryBroker({ historyLimit: options.historyLimit, channelTtlMs: options.channelTtlMs });
  const logger = new Logger('RedisBroker');
  const broker = new RedisBroker({
    url: options.redis,
    connection: redisConnectionSettings(options),
    historyLimit: options.historyLimit,
    channelTtlMs: options.channelTtlMs,
    keyPrefix: options.keyPrefix,
    commandTimeoutMs: options.publishTimeoutMs,
    minReplicasAck: options.minReplicasAck,
    ackTimeoutMs: options.ackTimeoutMs,
    logger,
    metrics,
  });
  await broker.connect();
  return broker;
}

/** Everything `forRoot` provides besides the options themselves. */
export const SSE_CORE_PROVIDERS: Provider[] = [
  {
    provide: SSE_OPTIONS,
    // The static `http` (forRoot's whole `http`, or forRootAsync's mount) joined with the
    // options factory's `http` (authorization and limits worked out at run time).
    useFactory: (options: SseModuleOptions, mount: SseHttpOptions | undefined) =>
      resolveSseOptions({ ...options, http: mount && { ...options.http, ...mount } }, options.http !== undefined && !mount),
    inject: [MODULE_OPTIONS_TOKEN, { token: SSE_HTTP_MOUNT, optional: true }],
  },
  {
    provide: OWNED_BROKER,
    useFactory: async (options: ResolvedSseOptions, metrics: SseMetrics) =>
      new OwnedBroker(options.broker ?? (await createBroker(options, metrics))),
    inject: [SSE_OPTIONS, SseMetrics],
  },
  {
    provide: Broker,
    useFactory: (owned: OwnedBroker, options: ResolvedSseOptions) => options.broker ?? owned.broker,
    inject: [OWNED_BROKER, SSE_OPTIONS],
  },
  {
    provide: ClusterPresence,
    useFactory: (options: ResolvedSseOptions, metrics: SseMetrics): ClusterPresence =>
      options.redis
        ? RedisPresence.connect(options.redis, options.keyPrefix, options.publishTimeoutMs, redisConnectionSettings(options), metrics)
        : new MemoryPresence(),
    inject: [SSE_OPTIONS, SseMetrics],
  },
  ...METRICS_PROVIDERS,
  SseHub,
  ConnectionRegistry,
  SseStreamWriter,
  { provide: StreamFactory, useClass: ChannelStreamFactory },
  // Every @Sse() route of the application that returns a channel stream is served by the writer.
  SseStreamInterceptor,
  SseStreamRoutes,
  Rebalancer,
  ChannelPresenceService,
];

export const SSE_CORE_EXPORTS = [SSE_OPTIONS, Broker, SseHub, ConnectionRegistry, SseStreamWriter, Rebalancer, SseMetrics, SSE_METRICS_REGISTRY, ChannelPresenceService];
