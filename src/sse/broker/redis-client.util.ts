import { Redis, type Cluster, type RedisOptions } from 'ioredis';
import { clusterAuth, createRedisCluster } from './redis-cluster.util.js';
import { redisTlsOptions, type RedisTlsOptions } from './redis-tls.util.js';
import { parseRedisTarget, type RedisNodeAddress, type RedisTarget } from './redis-url.util.js';

/** How to reach Redis besides its URL: TLS material, and the Sentinels' own credentials. */
export interface RedisConnectionSettings {
  /** Applied to every connection of a `rediss…` target; ignored otherwise. */
  readonly tls?: RedisTlsOptions;
  /**
   * Credentials of the Sentinels themselves (their `requirepass` / ACL user); the URL's
   * user and password are the master's. Unset: the Sentinels need none.
   */
  readonly sentinelUsername?: string;
  readonly sentinelPassword?: string;
}

/**
 * The one place a Redis target becomes a connection. A command client for what a `redis`
 * option names: one server, the master a Sentinel group names, or a cluster (ioredis'
 * `Cluster`, which gets `options` for every node and their `retryStrategy` as its own).
 */
export function createRedisClient(url: string | RedisTarget, options: RedisOptions, settings: RedisConnectionSettings = {}): Redis | Cluster {
  const target = typeof url === 'string' ? parseRedisTarget(url) : url;
  if (target.mode !== 'cluster') return createRedisConnection(target, options, settings);
  const retry = options.retryStrategy ?? ((attempt: number) => Math.min(100 * 2 ** attempt, 2000));
  return createRedisCluster(target, options, (attempt) => retry(attempt) ?? 2000, settings.tls);
}

type SentinelTarget = Extract<RedisTarget, { mode: 'sentinel' }>;

/**
 * ioredis options that reach the master a Sentinel group names (the broker's connections
 * and Nest's Redis transport alike): the Sentinels, the master's name, role and database,
 * the master's credentials from the URL, the Sentinels' own from `settings`, and TLS to both
 * for a `rediss+sentinel://` target (ioredis needs `enableTLSForSentinelMode` for the master).
 */
export function sentinelMasterOptions(target: SentinelTarget, settings: RedisConnectionSettings = {}): RedisOptions {
  const tls = target.tls ? redisTlsOptions(settings.tls) : undefined;
  return {
    sentinels: target.sentinels.map(({ host, port }) => ({ host, port })),
    name: target.name,
    role: 'master',
    db: target.db,
    ...(target.username === undefined ? {} : { username: target.username }),
    ...(target.password === undefined ? {} : { password: target.password }),
    ...(settings.sentinelUsername === undefined ? {} : { sentinelUsername: settings.sentinelUsername }),
    ...(settings.sentinelPassword === undefined ? {} : { sentinelPassword: settings.sentinelPassword }),
    ...(tls ? { tls, enableTLSForSentinelMode: true, sentinelTLS: tls } : {}),
  };
}

/**
 * One connection, never a `Cluster`: to the server, to the master the Sentinels name (asked
 * again on every reconnect, so it follows a failover), or to `node` of a cluster (required then).
 */
export function createRedisConnection(target: RedisTarget, options: RedisOptions, settings: RedisConnectionSettings = {}, node?: RedisNodeAddress): Redis {
  const tls = target.tls ? redisTlsOptions(settings.tls) : undefined;
  switch (target.mode) {
    case 'single':
      // ioredis turns `rediss://` into `tls: true` by itself; the settings add CA, certificate and name.
      return new Redis(target.url, { ...options, ...(tls && Object.keys(tls).length > 0 ? { tls } : {}) });
    case 'sentinel':
      return new Redis({
        ...options,
        ...sentinelMasterOptions(target, settings),
        // A Sentinel that does not answer must not hold the connection up: try the next one.
        sentinelCommandTimeout: options.connectTimeout ?? 5_000,
        // A master demoted to replica answers writes with READONLY until Sentinel disconnects
        // its clients: reconnect at once (asking the Sentinels again), never resend the command.
        reconnectOnError: (error: Error) => error.message.startsWith('READONLY'),
      });
    case 'cluster':
      if (!node) throw new Error('a connection to a Redis Cluster needs the node to connect to');
      return new Redis({ host: node.host, port: node.port, ...options, ...clusterAuth(target, settings.tls) });
  }
}
