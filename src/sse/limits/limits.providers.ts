import type { Provider } from '@nestjs/common';
import type { ResolvedSseOptions } from '../interfaces/sse-module-options.interface.js';
import { redisConnectionSettings } from '../sse.options.js';
import { SSE_OPTIONS } from '../sse.tokens.js';
import { ClientAddressResolver } from './client-address.util.js';
import { ClientLimitsGuard } from './client-limits.guard.js';
import { ConnectionLimiter } from './connection-limiter.service.js';
import { MemoryRateLimitStore } from './memory-rate-limit.store.js';
import { RateLimitStore } from './rate-limit-store.interface.js';
import { RedisRateLimitStore } from './redis-rate-limit.store.js';

/**
 * The abuse limits of the HTTP API: client addresses, stream slots per address, and the
 * rate limit store, chosen by one factory (Redis, so the budget is cluster-wide, when the
 * module has Redis and a publish rate limit is set).
 */
export const LIMITS_PROVIDERS: Provider[] = [
  {
    provide: ClientAddressResolver,
    inject: [SSE_OPTIONS],
    useFactory: (options: ResolvedSseOptions) => new ClientAddressResolver(options.http?.limits.trustedProxies ?? []),
  },
  {
    provide: ConnectionLimiter,
    inject: [SSE_OPTIONS],
    useFactory: (options: ResolvedSseOptions) => new ConnectionLimiter(options.http?.limits.maxConnectionsPerIp),
  },
  {
    provide: RateLimitStore,
    inject: [SSE_OPTIONS],
    useFactory: (options: ResolvedSseOptions) =>
      options.redis && options.http?.limits.publishRateLimit !== undefined
        ? new RedisRateLimitStore({ url: options.redis, connection: redisConnectionSettings(options), keyPrefix: options.keyPrefix })
        : new MemoryRateLimitStore(),
  },
  ClientLimitsGuard,
];
