import { invalidRedisClusterNode, invalidRedisClusterUrl, invalidRedisSentinelUrl } from '../sse.messages.js';

/** One node of a cluster's seed list, or one Sentinel. */
export interface RedisNodeAddress {
  readonly host: string;
  readonly port: number;
}

/**
 * What a `redis` option names:
 * - one server: any `redis://` or `rediss://` URL, given to ioredis as is;
 * - a Redis Cluster: `redis+cluster://` or `rediss+cluster://` with a comma-separated seed
 *   list (ioredis discovers the other nodes from any one of them);
 * - a master watched by Sentinel: `redis+sentinel://` or `rediss+sentinel://` with the
 *   Sentinels' comma-separated addresses and the master's name as the path (`/<name>`, then
 *   an optional `/<db>`). The user and password are the master's (and its replicas');
 *   the Sentinels' own credentials are separate settings (`sentinelPassword`).
 *
 * `tls`: the scheme is `rediss…`; it then applies to every connection, the Sentinels' too.
 */
export type RedisTarget =
  | { readonly mode: 'single'; readonly url: string; readonly tls: boolean }
  | {
      readonly mode: 'cluster';
      readonly nodes: readonly RedisNodeAddress[];
      readonly username?: string;
      readonly password?: string;
      readonly tls: boolean;
    }
  | {
      readonly mode: 'sentinel';
      readonly sentinels: readonly RedisNodeAddress[];
      /** The master's name in the Sentinels' configuration (`sentinel monitor <name> …`). */
      readonly name: string;
      readonly db: number;
      readonly username?: string;
      readonly password?: string;
      readonly tls: boolean;
    };

const TOPOLOGY_URL = /^(rediss?)\+(cluster|sentinel):\/\/(?:([^@/?#]*)@)?([^/?#]*)(\/[^?#]*)?([?#].*)?$/i;
const DEFAULT_PORT = 6379;
const DEFAULT_SENTINEL_PORT = 26379;

/** True when the URL uses one of the cluster schemes (it may still be malformed). */
export function isRedisClusterUrl(url: string): boolean {
  return /^rediss?\+cluster:/i.test(url);
}

/** True when the URL uses one of the Sentinel schemes (it may still be malformed). */
export function isRedisSentinelUrl(url: string): boolean {
  return /^rediss?\+sentinel:/i.test(url);
}

/** Reads the `redis` option; throws an `Error` saying what is wrong with a malformed cluster or Sentinel URL. */
export function parseRedisTarget(url: string): RedisTarget {
  const sentinel = isRedisSentinelUrl(url);
  if (!sentinel && !isRedisClusterUrl(url)) return { mode: 'single', url, tls: /^rediss:/i.test(url) };
  const invalid = sentinel ? invalidRedisSentinelUrl : invalidRedisClusterUrl;
  const match = TOPOLOGY_URL.exec(url);
  if (!match) throw new Error(invalid('it does not parse'));
  const [, scheme, , userinfo, hosts, path, rest] = match as unknown as [string, string, string, string | undefined, string, string | undefined, string | undefined];
  // Query options are not read (silently ignoring one is worse).
  if (rest !== undefined) throw new Error(invalid('query parameters are not supported'));
  const tls = scheme.toLowerCase() === 'rediss';
  const credentials = parseUserinfo(userinfo, invalid);
  if (sentinel) {
    const sentinels = parseAddressList(hosts, DEFAULT_SENTINEL_PORT, invalid);
    return { mode: 'sentinel', sentinels, ...parseSentinelPath(path), ...credentials, tls };
  }
  // A cluster has database 0 only.
  if (path !== undefined && path !== '/' && path !== '/0') throw new Error(invalid(`a cluster has database 0 only, got ${JSON.stringify(path)}`));
  return { mode: 'cluster', nodes: parseAddressList(hosts, DEFAULT_PORT, invalid), tls, ...credentials };
}

/** Parses `host:port,host:port` (the `REDIS_CLUSTER_NODES` form); port defaults to 6379. */
export function parseRedisNodeList(list: string): RedisNodeAddress[] {
  return parseAddressList(list, DEFAULT_PORT, invalidRedisClusterUrl);
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

function parseAddressList(list: string, defaultPort: number, invalid: (reason: string) => string): RedisNodeAddress[] {
  const items = list.split(',').map((item) => item.trim());
  if (items.length === 0 || items.every((item) => item === '')) throw new Error(invalid('no node given'));
  return items.map((item) => parseNode(item, defaultPort));
}

function parseUserinfo(userinfo: string | undefined, invalid: (reason: string) => string): { username?: string; password?: string } {
  if (userinfo === undefined || userinfo === '') return {};
  const colon = userinfo.indexOf(':');
  try {
    const username = decodeURIComponent(colon < 0 ? userinfo : userinfo.slice(0, colon)) || undefined;
    const password = colon < 0 ? undefined : decodeURIComponent(userinfo.slice(colon + 1));
    return { ...(username === undefined ? {} : { username }), ...(password === undefined ? {} : { password }) };
  } catch {
    throw new Error(invalid('bad percent-encoding in user or password'));
  }
}

/** `/<master-name>` or `/<master-name>/<db>`. */
function parseSentinelPath(path: string | undefined): { name: string; db: number } {
  const match = /^\/([^/]+)(?:\/(\d{1,5}))?\/?$/.exec(path ?? '');
  if (!match) throw new Error(invalidRedisSentinelUrl(`the path must be /<master-name> or /<master-name>/<db>, got ${JSON.stringify(path ?? '')}`));
  let name: string;
  try {
    name = decodeURIComponent(match[1]!);
  } catch {
    throw new Error(invalidRedisSentinelUrl('bad percent-encoding in the master name'));
  }
  return { name, db: match[2] === undefined ? 0 : Number(match[2]) };
}

function parseNode(item: string, defaultPort: number): RedisNodeAddress {
  const match = /^(?:\[([0-9A-Fa-f:.]+)\]|([A-Za-z0-9.-]+))(?::(\d{1,5}))?$/.exec(item);
  const port = match?.[3] === undefined ? defaultPort : Number(match[3]);
  if (!match || port < 1 || port > 65_535) throw new Error(invalidRedisClusterNode(item));
  return { host: (match[1] ?? match[2])!, port };
}
