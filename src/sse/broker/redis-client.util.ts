import { Redis, type Cluster, type RedisOptions } from 'ioredis';
import { createRedisCluster } from './redis-cluster.util.js';
import { parseRedisTarget } from './redis-url.util.js';

/**
 * A plain command connection to what a `redis` option names (one server or a cluster),
 * for the gateway's side stores (presence, rate counters). `options` hold the per-connection
 * settings; a cluster gets them for every node and their `retryStrategy` as its own.
 */
export function createRedisClient(url: string, options: RedisOptions): Redis | Cluster {
  const target = parseRedisTarget(url);
  if (target.mode === 'single') return new Redis(target.url, options);
  const retry = options.retryStrategy ?? ((attempt: number) => Math.min(100 * 2 ** attempt, 2000));
  return createRedisCluster(target, options, (attempt) => retry(attempt) ?? 2000);
}
