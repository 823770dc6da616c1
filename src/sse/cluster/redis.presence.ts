import type { Cluster, Redis } from 'ioredis';
import { createRedisClient, type RedisConnectionSettings } from '../broker/redis-client.util.js';
import type { SseMetrics } from '../metrics/sse-metrics.interface.js';
import type { ClusterPresence, InstancePresence } from './presence.interface.js';

/**
 * Presence in Redis: a sorted set of instance ids scored by expiry, and a hash of their
 * reports. Both keys share one hash tag, so one MULTI works on Redis Cluster too. Its own
 * small connection: presence must never queue behind, or hold up, publishing.
 */
export class RedisPresence implements ClusterPresence {
  private readonly members: string;
  private readonly reports: string;

  constructor(
    private readonly redis: Redis | Cluster,
    keyPrefix: string,
  ) {
    this.members = `${keyPrefix}{presence}:members`;
    this.reports = `${keyPrefix}{presence}:reports`;
  }

  /** `settings`: TLS material and Sentinel credentials, as the broker gets them; `metrics` counts its errors and state. */
  static connect(
    url: string,
    keyPrefix: string,
    timeoutMs: number,
    settings: RedisConnectionSettings = {},
    metrics?: Pick<SseMetrics, 'watchRedisConnections' | 'redisError'>,
  ): RedisPresence {
    const redis = createRedisClient(url, {
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      commandTimeout: timeoutMs,
      connectionName: 'sse-presence',
      retryStrategy: (attempt) => Math.min(100 * 2 ** attempt, 2000),
    }, settings);
    // Errors surface on the commands (and are counted); the connection keeps retrying on its own.
    redis.on('error', () => metrics?.redisError('presence'));
    metrics?.watchRedisConnections('presence', () => (redis.status === 'ready' ? 1 : 0));
    return new RedisPresence(redis, keyPrefix);
  }

  async report(presence: Omit<InstancePresence, 'seenAt'>, ttlMs: number): Promise<void> {
    const now = Date.now();
    await this.redis
      .multi()
      .zadd(this.members, now + ttlMs, presence.id)
      .hset(this.reports, presence.id, JSON.stringify({ connections: presence.connections, seenAt: now }))
      .zremrangebyscore(this.members, '-inf', now)
      .exec();
  }

  async list(): Promise<InstancePresence[]> {
    const ids = await this.redis.zrangebyscore(this.members, Date.now(), '+inf');
    if (ids.length === 0) return [];
    const values = await this.redis.hmget(this.reports, ...ids);
    const live: InstancePresence[] = [];
    ids.forEach((id, i) => {
      const report = parseReport(values[i]);
      if (report) live.push({ id, ...report });
    });
    this.forgetExpired(new Set(ids));
    return live.sort((a, b) => a.id.localeCompare(b.id));
  }

  async leave(id: string): Promise<void> {
    await this.redis.multi().zrem(this.members, id).hdel(this.reports, id).exec();
  }

  async close(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }

  /** Reports of instances gone for good; cheap enough to check now and then. */
  private forgetExpired(live: Set<string>): void {
    if (Math.random() > 0.1) return;
    void this.redis
      .hkeys(this.reports)
      .then((ids) => {
        const gone = ids.filter((id) => !live.has(id));
        return gone.length > 0 ? this.redis.hdel(this.reports, ...gone) : 0;
      })
      .catch(() => undefined);
  }
}

function parseReport(value: string | null): { connections: number; seenAt: number } | null {
  if (!value) return null;
  try {
    const parsed = JSON.parse(value) as { connections?: unknown; seenAt?: unknown };
    if (typeof parsed.connections !== 'number' || typeof parsed.seenAt !== 'number') return null;
    return { connections: parsed.connections, seenAt: parsed.seenAt };
  } catch {
    return null;
  }
}
