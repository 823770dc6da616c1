import { Redis } from 'ioredis';
import { redisChannelKeys, redisKeySlot } from '../../src/sse/broker/redis-keys.util.js';
import type { RedisCluster } from './redis-cluster.js';

/** A direct connection to node `i` (no cluster routing), closed after `work`. */
export async function onNode<T>(cluster: RedisCluster, i: number, work: (node: Redis) => Promise<T>): Promise<T> {
  const node = new Redis(cluster.nodes[i]!.port, '127.0.0.1');
  try {
    return await work(node);
  } finally {
    await node.quit().catch(() => node.disconnect());
  }
}

/** Channel names, `perNode` owned by each node (index), for this key prefix. */
export async function channelsPerNode(cluster: RedisCluster, prefix: string, perNode: number, masters = cluster.nodes.length): Promise<string[][]> {
  const byNode: string[][] = cluster.nodes.map(() => []);
  for (let i = 0; byNode.slice(0, masters).some((list) => list.length < perNode); i++) {
    const channel = `ch-${i}`;
    const owner = await cluster.ownerOf(redisKeySlot(redisChannelKeys(prefix, channel).stream));
    if (byNode[owner]!.length < perNode) byNode[owner]!.push(channel);
  }
  return byNode;
}

/** CLIENT LIST entries named `name` on node `i`. */
export async function clients(cluster: RedisCluster, i: number, name: string): Promise<Record<string, string>[]> {
  const list = (await onNode(cluster, i, (n) => n.client('LIST'))) as string;
  return list
    .split('\n')
    .filter(Boolean)
    .map((line) => Object.fromEntries(line.split(' ').map((kv) => kv.split('=', 2) as [string, string])))
    .filter((client) => client.name === name);
}

/** How long `work` took, and what it threw (`undefined` if it resolved). */
export async function timed(work: Promise<unknown>): Promise<{ error: unknown; ms: number }> {
  const start = Date.now();
  const error = await work.then(() => undefined, (e: unknown) => e);
  return { error, ms: Date.now() - start };
}
