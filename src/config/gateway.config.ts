import { isRedisClusterUrl, parseRedisNodeList, parseRedisTarget } from '../sse/index.js';
import { EnvReader } from './env-parsers.js';
import { readInstanceId, readLoggingConfig, type LoggingConfig } from './logging.config.js';
import { readSecurityConfig, type SecurityConfig } from './security.config.js';

/** The gateway's settings, read from the environment (README: Configuration). */
export interface GatewayConfig {
  readonly port: number;
  readonly host: string;
  /**
   * Unset: in-memory broker, one instance. A `redis+cluster://` / `rediss+cluster://` URL
   * names a Redis Cluster (`REDIS_CLUSTER_NODES` is turned into one).
   */
  readonly redisUrl: string | undefined;
  readonly keyPrefix: string;
  readonly historyLimit: number;
  readonly heartbeatMs: number;
  readonly retryMs: number;
  readonly maxEventBytes: number;
  readonly maxBufferBytes: number;
  readonly maxConnections: number | undefined;
  readonly maxChannelsPerStream: number;
  readonly publishTimeoutMs: number;
  readonly drainMs: number;
  readonly instanceId: string;
  readonly latestChannels: readonly string[];
  readonly rebalanceRatio: number;
  readonly rebalanceRate: number;
  readonly presenceIntervalMs: number;
  /** Authorization, CORS, abuse limits and timeouts (README: Security). */
  readonly security: SecurityConfig;
  /** Log format and threshold (README: Logs). */
  readonly logging: LoggingConfig;
}

/** A bad setting: the message lists every problem found, one per line. */
export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

const DAY_MS = 86_400_000;

/** Reads and validates every setting; throws `ConfigError` naming all bad values at once. */
export function loadGatewayConfig(env: NodeJS.ProcessEnv = process.env): GatewayConfig {
  const read = new EnvReader(env);
  const config: GatewayConfig = {
    port: read.integer('PORT', 3000, 0, 65_535),
    host: read.pattern('HOST', '0.0.0.0', /^[A-Za-z0-9.:[\]-]+$/, 'must be a host name or IP address'),
    redisUrl: readRedisUrl(read),
    keyPrefix: read.pattern('SSE_KEY_PREFIX', 'sse:', /^[A-Za-z0-9._:-]{0,64}$/, 'must be up to 64 characters of A-Z a-z 0-9 . _ : -'),
    historyLimit: read.integer('SSE_HISTORY_LIMIT', 1000, 1, 1_000_000),
    heartbeatMs: read.integer('SSE_HEARTBEAT_MS', 15_000, 100, DAY_MS),
    retryMs: read.integer('SSE_RETRY_MS', 3_000, 0, DAY_MS),
    maxEventBytes: read.integer('SSE_MAX_EVENT_BYTES', 65_536, 16, 64 * 1024 * 1024),
    maxBufferBytes: read.integer('SSE_MAX_BUFFER_BYTES', 1024 * 1024, 1024, 1024 * 1024 * 1024),
    maxConnections: read.optionalInteger('SSE_MAX_CONNECTIONS', 1),
    maxChannelsPerStream: read.integer('SSE_MAX_CHANNELS_PER_STREAM', 32, 1, 1000),
    publishTimeoutMs: read.integer('SSE_PUBLISH_TIMEOUT_MS', 2_000, 50, 60_000),
    drainMs: read.integer('SSE_DRAIN_MS', 5_000, 0, 10 * 60_000),
    latestChannels: read.list('SSE_LATEST_CHANNELS', /^[A-Za-z0-9._:*-]{1,128}$/, 'must be channel names or patterns (* = one dot-separated segment)'),
    rebalanceRatio: read.decimal('SSE_REBALANCE_RATIO', 1.25, 1, 100, true),
    rebalanceRate: read.integer('SSE_REBALANCE_RATE', 5, 1, 10_000),
    presenceIntervalMs: read.integer('SSE_PRESENCE_INTERVAL_MS', 1000, 100, 60_000),
    instanceId: readInstanceId(read),
    security: readSecurityConfig(read),
    logging: readLoggingConfig(read),
  };
  if (read.problems.length > 0) throw new ConfigError(read.problems);
  return config;
}

/**
 * `REDIS_URL` (one server, or a cluster with the `+cluster` schemes), or `REDIS_CLUSTER_NODES`
 * (`host:port,host:port`, a cluster without credentials or TLS); never both.
 */
function readRedisUrl(read: EnvReader): string | undefined {
  const url = read.string('REDIS_URL');
  const nodes = read.string('REDIS_CLUSTER_NODES');
  if (url !== undefined && nodes !== undefined) {
    read.problems.push('REDIS_URL and REDIS_CLUSTER_NODES are both set: set one (a cluster with credentials or TLS needs REDIS_URL=redis+cluster://user:password@host:port,...)');
    return undefined;
  }
  const check = (name: string, parse: () => unknown) => {
    try {
      parse();
      return true;
    } catch (error) {
      read.problems.push(`${name}: ${(error as Error).message}`);
      return false;
    }
  };
  if (nodes !== undefined) {
    return check('REDIS_CLUSTER_NODES', () => parseRedisNodeList(nodes)) ? `redis+cluster://${nodes.replace(/\s+/g, '')}` : undefined;
  }
  if (url !== undefined && isRedisClusterUrl(url)) return check('REDIS_URL', () => parseRedisTarget(url)) ? url : undefined;
  return read.url('REDIS_URL', ['redis', 'rediss'], 'redis or rediss, or redis+cluster or rediss+cluster for a cluster');
}
