import { MIN_CHANNEL_TTL_MS, SSE_DEFAULTS, type JwtAuthorizationOptions, type SseModuleOptions } from '../sse/internals.js';
import type { EnvReader } from './env-parsers.js';
import { readRedisOptions } from './redis.config.js';

const DAY_MS = 86_400_000;

/**
 * The variables behind each module option, for messages about bad values: a module
 * problem on `http.jwt.secret` is reported as one on `SSE_JWT_SECRET`.
 */
const ENV_OF_OPTION: Readonly<Record<string, string>> = {
  redis: 'REDIS_URL',
  redisTls: 'SSE_REDIS_TLS_*',
  sentinelUsername: 'SSE_REDIS_SENTINEL_USERNAME',
  sentinelPassword: 'SSE_REDIS_SENTINEL_PASSWORD',
  minReplicasAck: 'SSE_REDIS_MIN_REPLICAS_ACK',
  ackTimeoutMs: 'SSE_REDIS_ACK_TIMEOUT_MS',
  keyPrefix: 'SSE_KEY_PREFIX',
  historyLimit: 'SSE_HISTORY_LIMIT',
  channelTtlMs: 'SSE_CHANNEL_TTL',
  heartbeatMs: 'SSE_HEARTBEAT_MS',
  retryMs: 'SSE_RETRY_MS',
  maxEventBytes: 'SSE_MAX_EVENT_BYTES',
  maxBufferBytes: 'SSE_MAX_BUFFER_BYTES',
  maxConnections: 'SSE_MAX_CONNECTIONS',
  maxChannelsPerStream: 'SSE_MAX_CHANNELS_PER_STREAM',
  publishTimeoutMs: 'SSE_PUBLISH_TIMEOUT_MS',
  drainMs: 'SSE_DRAIN_MS',
  latestChannels: 'SSE_LATEST_CHANNELS',
  rebalanceRatio: 'SSE_REBALANCE_RATIO',
  rebalanceRate: 'SSE_REBALANCE_RATE',
  presenceIntervalMs: 'SSE_PRESENCE_INTERVAL_MS',
  instanceId: 'INSTANCE_ID',
  'http.jwt.secret': 'SSE_JWT_SECRET',
  'http.jwt.publicKey': 'SSE_JWT_PUBLIC_KEY',
  'http.jwt.jwksUrl': 'SSE_JWKS_URL',
  'http.jwt.audience': 'SSE_JWT_AUDIENCE',
  'http.jwt.issuer': 'SSE_JWT_ISSUER',
  'http.jwt.clockToleranceS': 'SSE_JWT_CLOCK_TOLERANCE_S',
  'http.jwt.publicChannels': 'SSE_PUBLIC_CHANNELS',
  'http.jwt.streamTokenSecret': 'SSE_STREAM_TOKEN_SECRET',
  'http.jwt.streamTokenTtlS': 'SSE_STREAM_TOKEN_TTL_S',
  'http.limits.trustedProxies': 'SSE_TRUSTED_PROXIES',
  'http.limits.maxConnectionsPerIp': 'SSE_MAX_CONNECTIONS_PER_IP',
  'http.limits.publishRateLimit': 'SSE_PUBLISH_RATE_LIMIT',
  'http.limits.publishRateWindowMs': 'SSE_PUBLISH_RATE_WINDOW_MS',
  'metrics.channels': 'SSE_METRICS_CHANNELS',
};

/** The environment variable of a module option (the option's own path when it has none). */
export function envNameOf(option: string): string {
  return ENV_OF_OPTION[option] ?? `SseModule option ${option}`;
}

/**
 * `SseModule.forRoot` options from the environment. Unset variables stay unset: the
 * module's defaults (`SSE_DEFAULTS`) apply. The gateway always mounts the HTTP API, and with
 * Redis consumes `sse.publish` from other services.
 */
export function readSseOptions(read: EnvReader): SseModuleOptions {
  const publishTimeoutMs = read.optionalInteger('SSE_PUBLISH_TIMEOUT_MS', 50, 60_000);
  const redis = readRedisOptions(read, publishTimeoutMs ?? SSE_DEFAULTS.publishTimeoutMs);
  return {
    ...redis,
    // Other services publish with a ClientProxy on the same Redis (README: Publishing from other services).
    transport: redis.redis !== undefined,
    keyPrefix: read.optionalPattern('SSE_KEY_PREFIX', /^[A-Za-z0-9._:-]{0,64}$/, 'must be up to 64 characters of A-Z a-z 0-9 . _ : -'),
    historyLimit: read.optionalInteger('SSE_HISTORY_LIMIT', 1, 1_000_000),
    // Seconds unless a unit says otherwise (`24h`, `7d`): a lifetime is said in those, not ms.
    channelTtlMs: read.optionalDuration('SSE_CHANNEL_TTL', MIN_CHANNEL_TTL_MS, 365 * DAY_MS, true),
    heartbeatMs: read.optionalInteger('SSE_HEARTBEAT_MS', 100, DAY_MS),
    retryMs: read.optionalInteger('SSE_RETRY_MS', 0, DAY_MS),
    maxEventBytes: read.optionalInteger('SSE_MAX_EVENT_BYTES', 16, 64 * 1024 * 1024),
    maxBufferBytes: read.optionalInteger('SSE_MAX_BUFFER_BYTES', 1024, 1024 * 1024 * 1024),
    maxConnections: read.optionalInteger('SSE_MAX_CONNECTIONS', 1),
    maxChannelsPerStream: read.optionalInteger('SSE_MAX_CHANNELS_PER_STREAM', 1, 1000),
    publishTimeoutMs,
    drainMs: read.optionalInteger('SSE_DRAIN_MS', 0, 10 * 60_000),
    latestChannels: read.list('SSE_LATEST_CHANNELS'),
    rebalanceRatio: read.optionalDecimal('SSE_REBALANCE_RATIO', 1, 100, true),
    rebalanceRate: read.optionalInteger('SSE_REBALANCE_RATE', 1, 10_000),
    presenceIntervalMs: read.optionalInteger('SSE_PRESENCE_INTERVAL_MS', 100, 60_000),
    // On by default: the gateway serves them at GET /metrics (README: Observability / Metrics).
    metrics: read.boolean('SSE_METRICS', true) && { channels: read.list('SSE_METRICS_CHANNELS') },
    http: {
      jwt: readJwtOptions(read),
      limits: {
        trustedProxies: read.list('SSE_TRUSTED_PROXIES'),
        maxConnectionsPerIp: read.optionalInteger('SSE_MAX_CONNECTIONS_PER_IP', 1),
        publishRateLimit: read.optionalInteger('SSE_PUBLISH_RATE_LIMIT', 1),
        publishRateWindowMs: read.optionalInteger('SSE_PUBLISH_RATE_WINDOW_MS', 100, 3_600_000),
      },
    },
  };
}

/** `SSE_JWT_SECRET`, `SSE_JWT_PUBLIC_KEY` or `SSE_JWKS_URL` (one of them) and what goes with it. */
function readJwtOptions(read: EnvReader): JwtAuthorizationOptions | undefined {
  const secret = read.string('SSE_JWT_SECRET');
  const publicKey = read.string('SSE_JWT_PUBLIC_KEY');
  const jwksUrl = read.string('SSE_JWKS_URL');
  const streamTokenSecret = read.string('SSE_STREAM_TOKEN_SECRET');
  const keys = [secret, publicKey, jwksUrl].filter((k) => k !== undefined);
  if (keys.length > 1) {
    read.problems.push('set only one of SSE_JWT_SECRET, SSE_JWT_PUBLIC_KEY and SSE_JWKS_URL');
    return undefined;
  }
  const options = {
    audience: read.string('SSE_JWT_AUDIENCE'),
    issuer: read.string('SSE_JWT_ISSUER'),
    clockToleranceS: read.optionalInteger('SSE_JWT_CLOCK_TOLERANCE_S', 0, 300),
    publicChannels: read.list('SSE_PUBLIC_CHANNELS'),
    streamTokenSecret,
    streamTokenTtlS: read.optionalInteger('SSE_STREAM_TOKEN_TTL_S', 1, 3600),
  };
  if (secret !== undefined) return { ...options, secret };
  if (publicKey !== undefined) return { ...options, publicKey };
  if (jwksUrl !== undefined) return { ...options, jwksUrl };
  return undefined;
}
