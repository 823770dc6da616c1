import { Logger, type OnApplicationShutdown, type Provider } from '@nestjs/common';
import { Broker } from './broker/broker.interface.js';
import { MemoryBroker } from './broker/memory.broker.js';
import type { RedisConnectionSettings } from './broker/redis-client.util.js';
import { RedisBroker } from './broker/redis.broker.js';
import { SseHub } from './channel/sse-hub.service.js';
import { MemoryPresence } from './cluster/memory.presence.js';
import { ClusterPresence } from './cluster/presence.interface.js';
import { Rebalancer } from './cluster/rebalancer.service.js';
import { RedisPresence } from './cluster/redis.presence.js';
import { ConnectionRegistry } from './http/connection-registry.service.js';
import { SseResponder } from './http/sse-responder.service.js';
import type { ResolvedSseOptions, SseModuleOptions } from './interfaces/sse-module-options.interface.js';
import { MODULE_OPTIONS_TOKEN } from './sse.module-definition.js';
import { resolveSseOptions } from './sse.options.js';
import { SSE_OPTIONS } from './sse.tokens.js';

/** The broker this module made, with the shutdown hook that closes it. */
class OwnedBroker implements OnApplicationShutdown {
  constructor(readonly broker: Broker) {}

  onApplicationShutdown(): Promise<void> {
    return this.broker.close();
  }
}

const OWNED_BROKER = Symbol('OWNED_BROKER');

/** Makes the broker the options ask for: Redis when a URL is set, else in memory. */
export async function createBroker(options: ResolvedSseOptions): Promise<Broker> {
  if (!options.redis) return new MemoryBroker({ historyLimit: options.historyLimit });
  const logger = new Logger('RedisBroker');
  const broker = new RedisBroker({
    url: options.redis,
    connection: redisConnectionSettings(options),
    historyLimit: options.historyLimit,
    keyPrefix: options.keyPrefix,
    commandTimeoutMs: options.publishTimeoutMs,
    minReplicasAck: options.minReplicasAck,
    ackTimeoutMs: options.ackTimeoutMs,
    logger,
  });
  await broker.connect();
  return broker;
}

/** TLS and Sentinel credentials from the options, for every Redis connection the module makes. */
export function redisConnectionSettings(options: ResolvedSseOptions): RedisConnectionSettings {
  return { tls: options.redisTls, sentinelUsername: options.sentinelUsername, sentinelPassword: options.sentinelPassword };
}

/** Everything `forRoot` provides besides the options themselves. */
export const SSE_CORE_PROVIDERS: Provider[] = [
  {
    provide: SSE_OPTIONS,
    useFactory: (options: SseModuleOptions) => resolveSseOptions(options),
    inject: [MODULE_OPTIONS_TOKEN],
  },
  {
    provide: OWNED_BROKER,
    useFactory: async (options: ResolvedSseOptions) =>
      new OwnedBroker(options.broker ?? (await createBroker(options))),
    inject: [SSE_OPTIONS],
  },
  {
    provide: Broker,
    useFactory: (owned: OwnedBroker, options: ResolvedSseOptions) => options.broker ?? owned.broker,
    inject: [OWNED_BROKER, SSE_OPTIONS],
  },
  {
    provide: ClusterPresence,
    useFactory: (options: ResolvedSseOptions): ClusterPresence =>
      options.redis
        ? RedisPresence.connect(options.redis, options.keyPrefix, options.publishTimeoutMs, redisConnectionSettings(options))
        : new MemoryPresence(),
    inject: [SSE_OPTIONS],
  },
  SseHub,
  ConnectionRegistry,
  SseResponder,
  Rebalancer,
];

export const SSE_CORE_EXPORTS = [SSE_OPTIONS, Broker, SseHub, ConnectionRegistry, SseResponder, Rebalancer];
