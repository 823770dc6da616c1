import { invalidRedisClusterNode, invalidRedisClusterUrl } from '../sse.messages.js';

/** One node of a cluster's seed list. */
export interface RedisNodeAddress {
  readonly host: string;
  readonly port: number;
}

/**
 * What a `redis` option names: one server (any `redis://` or `rediss://` URL, given to
 * ioredis as is), or a Redis Cluster (`redis+cluster://` or `rediss+cluster://` with a
 * comma-separated seed list; ioredis discovers the other nodes from any one of them).
 */
export type RedisTarget =
  | { readonly mode: 'single'; readonly url: string }
  | {
      readonly mode: 'cluster';
      readonly nodes: readonly RedisNodeAddress[];
      readonly username?: string;
      readonly password?: string;
      readonly tls: boolean;
    };

const CLUSTER_URL = /^(rediss?)\+cluster:\/\/(?:([^@/?#]*)@)?([^/?#]*)(\/[^?#]*)?([?#].*)?$/i;
const DEFAULT_PORT = 6379;

/** True when the URL uses one of the cluster schemes (it may still be malformed). */
export function isRedisClusterUrl(url: string): boolean {
  return /^rediss?\+cluster:/i.test(url);
}

/** Reads the `redis` option; throws an `Error` saying what is wrong with a malformed cluster URL. */
export function parseRedisTarget(url: string): RedisTarget {
  if (!isRedisClusterUrl(url)) return { mode: 'single', url };
  const match = CLUSTER_URL.exec(url);
  if (!match) throw new Error(invalidRedisClusterUrl('it does not parse'));
  const [, scheme, userinfo, hosts, path, rest] = match as unknown as [string, string, string | undefined, string, string | undefined, string | undefined];
  // A cluster has database 0 only; query options are not read (silently ignoring one is worse).
  if (path !== undefined && path !== '/' && path !== '/0') throw new Error(invalidRedisClusterUrl(`a cluster has database 0 only, got ${JSON.stringify(path)}`));
  if (rest !== undefined) throw new Error(invalidRedisClusterUrl('query parameters are not supported'));
  const nodes = parseRedisNodeList(hosts);
  let username: string | undefined;
  let password: string | undefined;
  if (userinfo !== undefined && userinfo !== '') {
    const colon = userinfo.indexOf(':');
    try {
      username = decodeURIComponent(colon < 0 ? userinfo : userinfo.slice(0, colon)) || undefined;
      password = colon < 0 ? undefined : decodeURIComponent(userinfo.slice(colon + 1));
    } catch {
      throw new Error(invalidRedisClusterUrl('bad percent-encoding in user or password'));
    }
  }
  return { mode: 'cluster', nodes, tls: scheme.toLowerCase() === 'rediss', ...(username === undefined ? {} : { username }), ...(password === undefined ? {} : { password }) };
}

/** Parses `host:port,host:port` (the `REDIS_CLUSTER_NODES` form); port defaults to 6379. */
export function parseRedisNodeList(list: string): RedisNodeAddress[] {
  const items = list.split(',').map((item) => item.trim());
  if (items.length === 0 || items.every((item) => item === '')) throw new Error(invalidRedisClusterUrl('no node given'));
  return items.map(parseNode);
}

/** `host:port` as ioredis keys cluster nodes (IPv6 without brackets). */
export function redisNodeKey(node: RedisNodeAddress): string {
  return `${node.host}:${node.port}`;
}

/** The reverse of `redisNodeKey`: the port follows the last colon. */
export function parseRedisNodeKey(key: string): RedisNodeAddress {
  const colon = key.lastIndexOf(':');
  return { host: key.slice(0, colon), port: Number(key.slice(colon + 1)) };
}

function parseNode(item: string): RedisNodeAddress {
  const match = /^(?:\[([0-9A-Fa-f:.]+)\]|([A-Za-z0-9.-]+))(?::(\d{1,5}))?$/.exec(item);
  const port = match?.[3] === undefined ? DEFAULT_PORT : Number(match[3]);
  if (!match || port < 1 || port > 65_535) throw new Error(invalidRedisClusterNode(item));
  return { host: (match[1] ?? match[2])!, port };
}
