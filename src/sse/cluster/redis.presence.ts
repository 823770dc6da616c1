import type { ChainableCommander, Cluster, Redis } from 'ioredis';
import { boundedCall, noop, whenReady } from '../broker/redis-call.util.js';
import { createRedisClient, type RedisConnectionSettings } from '../broker/redis-client.util.js';
import type { SseMetrics } from '../metrics/sse-metrics.interface.js';
import { diffChannelCounts, withoutEmpty } from './channel-counts-diff.util.js';
import { byInstanceId, type ChannelSubscribers, type ClusterPresence, type InstancePresence, type InstanceReport } from './presence.interface.js';

/** Fields per HSET / HDEL: large reports go in several commands, so Redis serves others in between. */
const FIELDS_PER_COMMAND = 1000;

/**
 * Presence in Redis: a sorted set of instance ids scored by expiry, and a hash of their
 * reports (one hash tag, so one MULTI works on Redis Cluster too). Each instance's
 * subscribers per channel live in a hash of its own (field: channel, value: count) with the
 * same expiry as its report: a dead instance's counts go with one key, and a report sends
 * only the channels whose count changed, however many channels the instance holds. Reading
 * one channel asks each live instance's hash (one HGET per instance). Its own small
 * connection: presence must never queue behind, or hold up, publishing.
 */
export class RedisPresence implements ClusterPresence {
  private readonly members: string;
  private readonly reports: string;
  /** What the last successful `reportChannels` left in Redis; null: unknown (rewrite it whole). */
  private reported: ReadonlyMap<string, number> | null = null;

  /** Settles once the connection first became ready, or gave up waiting (see `connect`). */
  private readonly firstConnect: Promise<void>;

  /** `firstConnectMs`: how long the first reports wait for a connection still being made (0: not at all). */
  constructor(
    private readonly redis: Redis | Cluster,
    private readonly keyPrefix: string,
    firstConnectMs = 0,
  ) {
    // The first report comes as the application starts, usually before the connection is
    // ready; with no offline queue it would fail and warn on every start.
    this.firstConnect =
      firstConnectMs > 0 && redis.status !== 'ready' ? boundedCall(() => whenReady(redis), firstConnectMs).catch(noop) : Promise.resolve();
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
    return new RedisPresence(redis, keyPrefix, timeoutMs);
  }

  async report(presence: InstanceReport, ttlMs: number): Promise<void> {
    await this.firstConnect;
    const now = Date.now();
    const { id, ...fields } = presence;
    await this.redis
      .multi()
      .zadd(this.members, now + ttlMs, id)
      .hset(this.reports, id, JSON.stringify({ ...fields, seenAt: now }))
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
    return live.sort(byInstanceId);
  }

  async reportChannels(id: string, counts: ReadonlyMap<string, number>, ttlMs: number): Promise<void> {
    await this.firstConnect;
    const key = this.channelsKey(id);
    // Kept as given (no copy: at 100k channels every pass over them counts).
    const next = counts;
    const previous = this.reported;
    this.reported = null; // until Redis confirmed this report
    if (previous === null) {
      await this.rewrite(key, next, ttlMs);
    } else {
      const { changed, removed } = diffChannelCounts(previous, next);
      const pipeline = this.redis.pipeline().pexpire(key, ttlMs);
      for (const part of chunks(removed)) pipeline.hdel(key, ...part);
      for (const part of chunks(changed)) pipeline.hset(key, Object.fromEntries(part));
      pipeline.pexpire(key, ttlMs);
      const results = await execOrThrow(pipeline);
      // The hash was gone before this report (it expired while Redis was out of reach, or
      // Redis lost its data): the changes alone leave it incomplete.
      if (previous.size > 0 && results[0] === 0) await this.rewrite(key, next, ttlMs);
    }
    this.reported = next;
  }

  async channelSubscribers(channel: string, instances: readonly string[]): Promise<ChannelSubscribers[]> {
    // Issued together: one round trip on a single server, one per node on a cluster.
    const values = await Promise.all(instances.map((id) => this.redis.hget(this.channelsKey(id), channel)));
    const found: ChannelSubscribers[] = [];
    values.forEach((value, i) => {
      const subscribers = value === null ? 0 : Number.parseInt(value, 10);
      if (subscribers > 0) found.push({ id: instances[i]!, subscribers });
    });
    return found;
  }

  async leave(id: string): Promise<void> {
    this.reported = null;
    await Promise.all([
      this.redis.multi().zrem(this.members, id).hdel(this.reports, id).exec(),
      this.redis.del(this.channelsKey(id)),
    ]);
  }

  async close(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }

  /** One hash tag per instance: on a cluster, the instances' hashes spread over the masters. */
  private channelsKey(id: string): string {
    return `${this.keyPrefix}{presence:${id}}:channels`;
  }

  /** Replaces the hash by `counts`, in parts (readers may see it half written for a moment). */
  private async rewrite(key: string, counts: ReadonlyMap<string, number>, ttlMs: number): Promise<void> {
    const pipeline = this.redis.pipeline().del(key);
    for (const part of chunks([...withoutEmpty(counts)])) pipeline.hset(key, Object.fromEntries(part));
    pipeline.pexpire(key, ttlMs);
    await execOrThrow(pipeline);
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

function* chunks<T>(items: readonly T[]): Generator<T[]> {
  for (let i = 0; i < items.length; i += FIELDS_PER_COMMAND) yield items.slice(i, i + FIELDS_PER_COMMAND);
}

async function execOrThrow(pipeline: ChainableCommander): Promise<unknown[]> {
  const results = (await pipeline.exec()) ?? [];
  const failed = results.find(([error]) => error);
  if (failed) throw failed[0];
  return results.map(([, value]) => value);
}

function parseReport(value: string | null): Omit<InstancePresence, 'id'> | null {
  if (!value) return null;
  try {
    const parsed = JSON.parse(value) as Record<string, unknown>;
    if (typeof parsed.connections !== 'number' || typeof parsed.seenAt !== 'number') return null;
    // An instance of an earlier version reports no delivery figures.
    const numberOr = <T>(field: unknown, fallback: T) => (typeof field === 'number' && Number.isFinite(field) ? field : fallback);
    return {
      connections: parsed.connections,
      seenAt: parsed.seenAt,
      deliveryRate: numberOr(parsed.deliveryRate, 0),
      lagMs: numberOr(parsed.lagMs, null),
      lagMaxMs: numberOr(parsed.lagMaxMs, null),
    };
  } catch {
    return null;
  }
}
