import { Module } from '@nestjs/common';
import type { GatewayConfig } from '../../config/gateway.config.js';
import { GATEWAY_CONFIG } from '../gateway.tokens.js';
import { ClientAddressResolver } from './client-address.util.js';
import { ConnectionLimiter } from './connection-limiter.service.js';
import { MemoryRateLimitStore } from './memory-rate-limit.store.js';
import { RateLimitStore } from './rate-limit-store.interface.js';
import { RedisRateLimitStore } from './redis-rate-limit.store.js';

/** Abuse limits: client addresses, the rate limit store (Redis when there is one), stream slots. */
@Module({
  providers: [
    {
      provide: ClientAddressResolver,
      inject: [GATEWAY_CONFIG],
      useFactory: (config: GatewayConfig) => new ClientAddressResolver(config.security.trustedProxies),
    },
    {
      provide: ConnectionLimiter,
      inject: [GATEWAY_CONFIG],
      useFactory: (config: GatewayConfig) => new ConnectionLimiter(config.security.maxConnectionsPerIp),
    },
    {
      provide: RateLimitStore,
      inject: [GATEWAY_CONFIG],
      useFactory: (config: GatewayConfig) =>
        config.redisUrl && config.security.publishRateLimit !== undefined
          ? new RedisRateLimitStore({ url: config.redisUrl, connection: config.redisConnection, keyPrefix: config.keyPrefix })
          : new MemoryRateLimitStore(),
    },
  ],
  exports: [ClientAddressResolver, ConnectionLimiter, RateLimitStore],
})
export class LimitsModule {}
