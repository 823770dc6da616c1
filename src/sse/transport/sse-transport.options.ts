import { Transport, type RedisOptions } from '@nestjs/microservices';
import { sentinelMasterOptions, type RedisConnectionSettings } from '../broker/redis-client.util.js';
import { redisTlsOptions } from '../broker/redis-tls.util.js';
import { parseRedisTarget } from '../broker/redis-url.util.js';
import { transportUnsupportedUrl } from './transport.messages.js';

/** The options of Nest's Redis transport (`ServerRedis`, `ClientRedis`). */
export type RedisTransportOptions = NonNullable<RedisOptions['options']>;

/** Nest's Redis transport gives up after `retryAttempts`; a gateway never should. */
const RETRY_DELAY_MS = 1_000;

/**
 * Options of Nest's Redis transport (`{ transport: Transport.REDIS, options }`) for the
 * module's `redis` URL, for `app.connectMicroservice()` or a sender's `ClientsModule`:
 *
 * - `redis://` / `rediss://` (TLS): that server, read as ioredis reads the URL (user,
 *   password, database, query options);
 * - `redis+sentinel://` / `rediss+sentinel://`: the master the Sentinels name, asked again on
 *   every reconnect, so the transport follows a failover as the broker does;
 * - `redis+cluster://` / `rediss+cluster://`: one of the seed nodes, at random. Nest's transport
 *   uses plain `PUBLISH`/`SUBSCRIBE`, which a Redis Cluster forwards to every node, so any
 *   node hears every message; picking at random spreads the instances, so one node down
 *   silences only the instances that picked it (they reconnect when it is back);
 * - any other scheme: an `Error` saying what is accepted.
 *
 * `settings` are the module's TLS material and Sentinel credentials. Reconnects forever,
 * every second (Nest's default is to stop after the first loss).
 */
export function sseTransportOptions(
  url: string,
  settings: RedisConnectionSettings = {},
  pick: <T>(items: readonly T[]) => T = randomItem,
): RedisOptions & { options: RedisTransportOptions } {
  const target = parseRedisTarget(url);
  const tls = target.tls ? redisTlsOptions(settings.tls) : undefined;
  const common = { retryAttempts: Number.MAX_SAFE_INTEGER, retryDelay: RETRY_DELAY_MS, connectionName: 'sse:transport' };
  switch (target.mode) {
    case 'single':
      return { transport: Transport.REDIS, options: { ...readServerUrl(target.url), ...(tls ? { tls } : {}), ...common } };
    case 'sentinel':
      return {
        transport: Transport.REDIS,
        options: { ...sentinelMasterOptions(target, settings), ...common } as RedisTransportOptions,
      };
    case 'cluster': {
      const node = pick(target.nodes);
      return {
        transport: Transport.REDIS,
        options: {
          host: node.host,
          port: node.port,
          ...(target.username === undefined ? {} : { username: target.username }),
          ...(target.password === undefined ? {} : { password: target.password }),
          ...(tls ? { tls } : {}),
          ...common,
        },
      };
    }
  }
}

/** One server's URL as ioredis reads it (`parseURL`), with `rediss:` meaning TLS. */
function readServerUrl(url: string): RedisTransportOptions {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error(transportUnsupportedUrl('malformed'));
  }
  const scheme = parsed.protocol.toLowerCase();
  if (scheme !== 'redis:' && scheme !== 'rediss:') throw new Error(transportUnsupportedUrl(scheme.replace(/:$/, '://')));
  const options: Record<string, unknown> = {};
  // Query options first, so the URL's own parts win (as in ioredis).
  parsed.searchParams.forEach((value, key) => {
    options[key] = key === 'family' && /^\d+$/.test(value) ? Number(value) : value;
  });
  if (parsed.hostname) options.host = parsed.hostname.replace(/^\[|\]$/g, '');
  if (parsed.port) options.port = Number(parsed.port);
  if (parsed.username || parsed.password) {
    options.username = decodeURIComponent(parsed.username);
    options.password = decodeURIComponent(parsed.password);
  }
  if (parsed.pathname.length > 1) options.db = Number.parseInt(parsed.pathname.slice(1), 10);
  if (scheme === 'rediss:') options.tls = {};
  return options as RedisTransportOptions;
}

function randomItem<T>(items: readonly T[]): T {
  return items[Math.floor(Math.random() * items.length)]!;
}
