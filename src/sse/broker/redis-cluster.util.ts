import { Cluster, type ClusterOptions, type Redis, type RedisOptions } from 'ioredis';
import { noop } from './redis-call.util.js';
import { redisKeySlot } from './redis-keys.util.js';
import { redisTlsOptions, type RedisTlsOptions } from './redis-tls.util.js';
import type { RedisTarget } from './redis-url.util.js';

type ClusterTarget = Extract<RedisTarget, { mode: 'cluster' }>;

/** How often the slot map is read again (besides after MOVED and lost subscriber connections). */
export const SLOTS_REFRESH_MS = 5_000;

/** Credentials and TLS of a cluster URL (with the TLS settings, if any), for every connection to its nodes. */
export function clusterAuth(target: ClusterTarget, tls?: RedisTlsOptions): RedisOptions {
  return { username: target.username, password: target.password, ...(target.tls ? { tls: redisTlsOptions(tls) } : {}) };
}

/**
 * An ioredis `Cluster` for commands with the single-server guarantees: fail fast, never
 * queue or resend. `perNode` are the single-server connection options (timeouts, no
 * auto-resend); `retryStrategy` becomes the cluster's reconnect strategy; `tls` applies to
 * every node of a `rediss+cluster://` target.
 */
export function createRedisCluster(target: ClusterTarget, perNode: RedisOptions, retryStrategy: (times: number) => number, tls?: RedisTlsOptions): Cluster {
  const { lazyConnect, enableOfflineQueue, retryStrategy: _single, ...redisOptions } = perNode;
  const cluster = new Cluster(
    target.nodes.map((n) => ({ host: n.host, port: n.port })),
    {
      lazyConnect,
      enableOfflineQueue,
      scaleReads: 'master',
      // A command to a lost node, or while the cluster is down, fails at once instead of
      // being retried on a timer (a retry could store a publish after its caller got 503).
      retryDelayOnFailover: 0,
      retryDelayOnClusterDown: 0,
      // TRYAGAIN (a slot mid-migration) means "not executed": retried at once, 16 times at most.
      retryDelayOnTryAgain: 0,
      clusterRetryStrategy: retryStrategy,
      // ioredis 6 documents 5 s but defaults to no periodic refresh at all: without it, a
      // failover is only noticed by the next command to the lost node, and an instance that
      // only listens would never move its subscriptions to the promoted replica.
      slotsRefreshInterval: SLOTS_REFRESH_MS,
      redisOptions: { ...redisOptions, ...clusterAuth(target, tls) },
    } satisfies ClusterOptions,
  );
  // ioredis creates node connections lazily, and with no offline queue a second command to
  // a node still connecting is refused: connect each master as soon as the cluster is ready
  // (not before: its ready check would hit a node still connecting and fail). Replicas are
  // never read from (`scaleReads: 'master'`), so they stay unconnected.
  const connectNode = (node: Redis) => {
    if (node.status === 'wait' && !node.options.readOnly && cluster.status === 'ready') node.connect().catch(noop);
  };
  cluster.on('+node', connectNode);
  cluster.on('ready', () => cluster.nodes('master').forEach(connectNode));
  return cluster;
}

/** Node key (`host:port`) of the master serving `key`'s slot; `undefined` before the slots are known. */
export function slotOwner(cluster: Cluster, key: string): string | undefined {
  return cluster.slots[redisKeySlot(key)]?.[0];
}

/** Master node keys in a stable order (the same on every instance). */
export function masterKeys(cluster: Cluster): string[] {
  const masters = new Set<string>();
  for (const owners of cluster.slots) if (owners?.[0]) masters.add(owners[0]);
  return [...masters].sort();
}
