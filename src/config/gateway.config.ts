import { hostname } from 'node:os';
import type { RedisConnectionSettings } from '../sse/index.js';
import { EnvReader } from './env-parsers.js';
import { readRedisConfig } from './redis.config.js';
import { readSecurityConfig, type SecurityConfig } from './security.config.js';

/** The gateway's settings, read from the environment (README: Configuration). */
export interface GatewayConfig {
  readonly port: number;
  readonly host: string;
  /**
   * Unset: in-memory broker, one instance. A `redis+cluster://` / `rediss+cluster://` URL
   * names a Redis Cluster (`REDIS_CLUSTER_NODES` is turned into one), a `redis+sentinel://` /
   * `rediss+sentinel://` URL a master watched by Sentinel.
   */
  readonly redisUrl: string | undefined;
  /** TLS material (file contents) and the Sentinels' credentials, for every Redis connection. */
  readonly redisConnection: RedisConnectionSettings;
  /** Replicas each publish must reach before its 201 (Redis WAIT); 0: off. */
  readonly minReplicasAck: number;
  /** How long a publish waits for those replicas, ms. */
  readonly ackTimeoutMs: number;
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
  const port = read.integer('PORT', 3000, 0, 65_535);
  const host = read.pattern('HOST', '0.0.0.0', /^[A-Za-z0-9.:[\]-]+$/, 'must be a host name or IP address');
  const publishTimeoutMs = read.integer('SSE_PUBLISH_TIMEOUT_MS', 2_000, 50, 60_000);
  const redis = readRedisConfig(read, publishTimeoutMs);
  const config: GatewayConfig = {
    port,
    host,
    redisUrl: redis.url,
    redisConnection: redis.connection,
    minReplicasAck: redis.minReplicasAck,
    ackTimeoutMs: redis.ackTimeoutMs,
    keyPrefix: read.pattern('SSE_KEY_PREFIX', 'sse:', /^[A-Za-z0-9._:-]{0,64}$/, 'must be up to 64 characters of A-Z a-z 0-9 . _ : -'),
    historyLimit: read.integer('SSE_HISTORY_LIMIT', 1000, 1, 1_000_000),
    heartbeatMs: read.integer('SSE_HEARTBEAT_MS', 15_000, 100, DAY_MS),
    retryMs: read.integer('SSE_RETRY_MS', 3_000, 0, DAY_MS),
    maxEventBytes: read.integer('SSE_MAX_EVENT_BYTES', 65_536, 16, 64 * 1024 * 1024),
    maxBufferBytes: read.integer('SSE_MAX_BUFFER_BYTES', 1024 * 1024, 1024, 1024 * 1024 * 1024),
    maxConnections: read.optionalInteger('SSE_MAX_CONNECTIONS', 1),
    maxChannelsPerStream: read.integer('SSE_MAX_CHANNELS_PER_STREAM', 32, 1, 1000),
    publishTimeoutMs,
    drainMs: read.integer('SSE_DRAIN_MS', 5_000, 0, 10 * 60_000),
    latestChannels: read.list('SSE_LATEST_CHANNELS', /^[A-Za-z0-9._:*-]{1,128}$/, 'must be channel names or patterns (* = one dot-separated segment)'),
    rebalanceRatio: read.decimal('SSE_REBALANCE_RATIO', 1.25, 1, 100, true),
    rebalanceRate: read.integer('SSE_REBALANCE_RATE', 5, 1, 10_000),
    presenceIntervalMs: read.integer('SSE_PRESENCE_INTERVAL_MS', 1000, 100, 60_000),
    instanceId: read.pattern('INSTANCE_ID', `${hostname()}-${process.pid}`, /^[\x21-\x7e]{1,128}$/, 'must be 1-128 visible ASCII characters'),
    security: readSecurityConfig(read),
  };
  if (read.problems.length > 0) throw new ConfigError(read.problems);
  return config;
}
