import { Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { createHash } from 'node:crypto';
import type { Cluster, Redis } from 'ioredis';
import { createRedisClient, type RedisConnectionSettings } from '../broker/redis-client.util.js';
import { rateStoreDown } from './limits.messages.js';
import type { RateLimitHit, RateLimitStore } from './rate-limit-store.interface.js';

// One round trip: count, start the window on the first hit, answer what is left of it.
const HIT_SCRIPT = `
local n = redis.call('INCR', KEYS[1])
local ttl = redis.call('PTTL', KEYS[1])
if n == 1 or ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
return {n, ttl}
`;

export interface RedisRateLimitStoreOptions {
  readonly url: string;
  /** TLS material and Sentinel credentials, as the broker gets them. */
  readonly connection?: RedisConnectionSettings;
  readonly keyPrefix: string;
  /** How long a hit may wait for Redis before the request is let through (ms). */
  readonly timeoutMs?: number;
}

/**
 * Counters shared by every instance, in Redis (its own connection). It fails open: while
 * Redis does not answer, requests are not limited (and a warning is logged), because the
 * broker needs the same Redis to publish at all, and the limiter must not make an outage
 * worse than the broker's own 503s.
 */
export class RedisRateLimitStore implements RateLimitStore, OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('RateLimit');
  private readonly redis: Redis | Cluster;
  private lastWarning = 0;

  constructor(private readonly options: RedisRateLimitStoreOptions) {
    this.redis = createRedisClient(options.url, {
      connectionName: 'sse-gateway:ratelimit',
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      commandTimeout: options.timeoutMs ?? 250,
      retryStrategy: (attempt) => Math.min(attempt * 200, 2000),
    }, options.connection);
    this.redis.on('error', () => {});
    this.redis.defineCommand('sseRateHit', { numberOfKeys: 1, lua: HIT_SCRIPT });
  }

  /** Waits (a bounded time) for the connection, so the first requests are counted too. */
  async onModuleInit(): Promise<void> {
    if (this.redis.status === 'ready') return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, 2000);
      this.redis.once('ready', done);
      function done() {
        clearTimeout(timer);
        resolve();
      }
    });
  }

  async hit(key: string, windowMs: number): Promise<RateLimitHit> {
    const redisKey = `${this.options.keyPrefix}rl:${createHash('sha256').update(key).digest('base64url').slice(0, 32)}`;
    try {
      const [count, ttl] = (await (this.redis as unknown as RateHitCommand).sseRateHit(redisKey, windowMs)) as [number, number];
      return { count, resetInMs: ttl };
    } catch (error) {
      if (Date.now() - this.lastWarning > 10_000) {
        this.lastWarning = Date.now();
        this.logger.warn(rateStoreDown((error as Error).message));
      }
      return { count: 0, resetInMs: 0 };
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}

interface RateHitCommand {
  sseRateHit(key: string, windowMs: number): Promise<unknown>;
}
