import { hostname } from 'node:os';
import { BlockList, isIP } from 'node:net';
import { resolveJwtOptions } from './auth/jwt-options.util.js';
import { OptionProblems } from './errors/invalid-options.error.js';
import type { ResolvedClientLimits, ResolvedHttpOptions, SseHttpOptions } from './interfaces/sse-http-options.interface.js';
import type { ResolvedSseMetricsOptions } from './interfaces/sse-metrics-options.interface.js';
import type { ResolvedSseOptions, SseModuleOptions } from './interfaces/sse-module-options.interface.js';
import { MIN_CHANNEL_TTL_MS, SSE_DEFAULTS } from './sse.constants.js';
import { parseChannelPattern } from './utils/channel-pattern.util.js';
import type { RedisConnectionSettings } from './broker/redis-client.util.js';
import { parseRedisTarget } from './broker/redis-url.util.js';
import { minReplicasAckOnCluster } from './sse.messages.js';

/** Bytes a frame adds around an event's data at most: id, event type and envelope lines. */
const FRAME_OVERHEAD_BYTES = 512;

/**
 * Fills in the defaults (`SSE_DEFAULTS`) and checks every option; throws
 * `InvalidSseOptionsError` naming every problem at once.
 */
export function resolveSseOptions(options: SseModuleOptions, httpWithoutMount = false): ResolvedSseOptions {
  const problems = new OptionProblems();
  const resolved = resolveInto(options, problems);
  // Routes are registered before an async options factory runs: only the static part can add them.
  if (httpWithoutMount) problems.add('http', 'from an options factory needs `http: { prefix }` in forRootAsync() itself, where routes are registered');
  problems.throwIfAny();
  return resolved;
}

/** The problems `resolveSseOptions` would throw for, for callers that report them their own way. */
export function sseOptionProblems(options: SseModuleOptions): OptionProblems['list'] {
  const problems = new OptionProblems();
  resolveInto(options, problems);
  return problems.list;
}

function resolveInto(options: SseModuleOptions, problems: OptionProblems): ResolvedSseOptions {
  const resolved: ResolvedSseOptions = {
    redis: options.redis || undefined,
    broker: options.broker,
    historyLimit: options.historyLimit ?? SSE_DEFAULTS.historyLimit,
    channelTtlMs: options.channelTtlMs ?? SSE_DEFAULTS.channelTtlMs,
    heartbeatMs: options.heartbeatMs ?? SSE_DEFAULTS.heartbeatMs,
    retryMs: options.retryMs ?? SSE_DEFAULTS.retryMs,
    maxBufferBytes: options.maxBufferBytes ?? SSE_DEFAULTS.maxBufferBytes,
    maxChannelsPerStream: options.maxChannelsPerStream ?? SSE_DEFAULTS.maxChannelsPerStream,
    maxEventBytes: options.maxEventBytes ?? SSE_DEFAULTS.maxEventBytes,
    publishTimeoutMs: options.publishTimeoutMs ?? SSE_DEFAULTS.publishTimeoutMs,
    keyPrefix: options.keyPrefix ?? SSE_DEFAULTS.keyPrefix,
    instanceId: options.instanceId || `${hostname()}-${process.pid}`,
    maxConnections: options.maxConnections,
    drainMs: options.drainMs ?? SSE_DEFAULTS.drainMs,
    latestChannels: options.latestChannels ?? [],
    rebalanceRatio: options.rebalanceRatio ?? SSE_DEFAULTS.rebalanceRatio,
    rebalanceRate: options.rebalanceRate ?? SSE_DEFAULTS.rebalanceRate,
    presenceIntervalMs: options.presenceIntervalMs ?? SSE_DEFAULTS.presenceIntervalMs,
    http: options.http && resolveHttpOptions(options.http, problems),
    redisTls: options.redisTls,
    sentinelUsername: options.sentinelUsername,
    sentinelPassword: options.sentinelPassword,
    minReplicasAck: options.minReplicasAck ?? SSE_DEFAULTS.minReplicasAck,
    ackTimeoutMs: options.ackTimeoutMs ?? SSE_DEFAULTS.ackTimeoutMs,
    metrics: resolveMetricsOptions(options.metrics),
  };
  if (!(resolved.rebalanceRatio === 0 || resolved.rebalanceRatio >= 1)) {
    problems.add('rebalanceRatio', `must be 0 (off) or at least 1, got ${resolved.rebalanceRatio}`);
  }
  for (const key of ['historyLimit', 'heartbeatMs', 'maxBufferBytes', 'maxChannelsPerStream', 'maxEventBytes', 'publishTimeoutMs', 'rebalanceRate', 'presenceIntervalMs'] as const) {
    if (!Number.isInteger(resolved[key]) || resolved[key] < 1) problems.add(key, `must be a positive integer, got ${resolved[key]}`);
  }
  if (!(resolved.channelTtlMs === 0 || (Number.isInteger(resolved.channelTtlMs) && resolved.channelTtlMs >= MIN_CHANNEL_TTL_MS))) {
    problems.add('channelTtlMs', `must be 0 (never expire) or a whole number of ms from ${MIN_CHANNEL_TTL_MS}, got ${resolved.channelTtlMs}`);
  }
  checkRedisOptions(resolved, problems);
  for (const key of ['retryMs', 'drainMs'] as const) {
    if (!Number.isInteger(resolved[key]) || resolved[key] < 0) problems.add(key, `must be a non-negative integer, got ${resolved[key]}`);
  }
  if (resolved.maxConnections !== undefined && !(Number.isInteger(resolved.maxConnections) && resolved.maxConnections >= 1)) {
    problems.add('maxConnections', `must be a positive integer, got ${resolved.maxConnections}`);
  }
  // A stream that cannot hold one frame of the largest event would be cut on it every time.
  if (resolved.maxBufferBytes < resolved.maxEventBytes + FRAME_OVERHEAD_BYTES) {
    problems.add(
      'maxBufferBytes',
      `(${resolved.maxBufferBytes}) must hold the largest event's frame: at least maxEventBytes + ${FRAME_OVERHEAD_BYTES} = ${resolved.maxEventBytes + FRAME_OVERHEAD_BYTES}`,
    );
  }
  for (const pattern of resolved.latestChannels) {
    const problem = parseChannelPattern(pattern).problem;
    if (problem) problems.add('latestChannels', `has ${problem}`);
  }
  for (const pattern of resolved.metrics?.channels ?? []) {
    const problem = parseChannelPattern(pattern).problem;
    if (problem) problems.add('metrics.channels', `has ${problem}`);
  }
  return resolved;
}

function resolveMetricsOptions(metrics: SseModuleOptions['metrics']): ResolvedSseMetricsOptions | undefined {
  if (!metrics) return undefined;
  const given = metrics === true ? {} : metrics;
  return { registry: given.registry, channels: [...(given.channels ?? [])], defaultMetrics: given.defaultMetrics ?? true };
}

function resolveHttpOptions(options: SseHttpOptions, problems: OptionProblems): ResolvedHttpOptions {
  const prefix = (options.prefix ?? '').replace(/^\/+|\/+$/g, '');
  if (!/^[A-Za-z0-9._~\/-]*$/.test(prefix)) problems.add('http.prefix', 'may hold only A-Z a-z 0-9 . _ ~ - and /');
  if (options.jwt && options.authorizer) problems.add('http', 'takes jwt or authorizer, not both');
  return {
    prefix,
    jwt: options.jwt && resolveJwtOptions(options.jwt, problems, 'http.jwt'),
    authorizer: options.authorizer,
    limits: resolveLimits(options.limits ?? {}, problems),
  };
}

function resolveLimits(limits: NonNullable<SseHttpOptions['limits']>, problems: OptionProblems): ResolvedClientLimits {
  const positive = (name: 'maxConnectionsPerIp' | 'publishRateLimit' | 'publishRateWindowMs', value: number | undefined) => {
    if (value !== undefined && !(Number.isInteger(value) && value >= 1)) problems.add(`http.limits.${name}`, `must be a positive integer, got ${value}`);
    return value;
  };
  for (const entry of limits.trustedProxies ?? []) {
    if (!isAddressOrRange(entry)) problems.add('http.limits.trustedProxies', `has ${JSON.stringify(entry)}, which is not an IP address or CIDR range`);
  }
  return {
    trustedProxies: [...(limits.trustedProxies ?? [])],
    maxConnectionsPerIp: positive('maxConnectionsPerIp', limits.maxConnectionsPerIp),
    publishRateLimit: positive('publishRateLimit', limits.publishRateLimit),
    publishRateWindowMs: positive('publishRateWindowMs', limits.publishRateWindowMs) ?? SSE_DEFAULTS.publishRateWindowMs,
  };
}

function isAddressOrRange(entry: string): boolean {
  const [address, bits, extra] = entry.split('/');
  const family = isIP(address ?? '');
  if (family === 0 || extra !== undefined) return false;
  if (bits === undefined) return true;
  if (!/^\d{1,3}$/.test(bits) || Number(bits) > (family === 6 ? 128 : 32)) return false;
  new BlockList().addSubnet(address!, Number(bits), family === 6 ? 'ipv6' : 'ipv4');
  return true;
}

/** The Redis connection settings against the URL they apply to. */
function checkRedisOptions(resolved: ResolvedSseOptions, problems: OptionProblems): void {
  if (!Number.isInteger(resolved.minReplicasAck) || resolved.minReplicasAck < 0) problems.add('minReplicasAck', `must be 0 (off) or a positive integer, got ${resolved.minReplicasAck}`);
  if (!Number.isInteger(resolved.ackTimeoutMs) || resolved.ackTimeoutMs < 1) problems.add('ackTimeoutMs', `must be a positive integer, got ${resolved.ackTimeoutMs}`);
  const tls = resolved.redisTls;
  if ((tls?.cert === undefined) !== (tls?.key === undefined)) problems.add('redisTls', 'needs cert and key together (a client certificate and its private key)');
  const sentinelAuth = resolved.sentinelPassword !== undefined ? 'sentinelPassword' : resolved.sentinelUsername !== undefined ? 'sentinelUsername' : undefined;
  if (!resolved.redis) {
    if (tls) problems.add('redisTls', 'needs a redis URL');
    if (sentinelAuth) problems.add(sentinelAuth, 'needs a redis+sentinel:// URL');
    if (resolved.minReplicasAck > 0) problems.add('minReplicasAck', 'needs a redis URL: the in-memory broker has no replicas');
    return;
  }
  let target;
  try {
    target = parseRedisTarget(resolved.redis);
  } catch (error) {
    problems.add('redis', (error as Error).message);
    return;
  }
  if (tls && !target.tls) problems.add('redisTls', 'is set but the redis URL does not use TLS (rediss://, rediss+sentinel:// or rediss+cluster://)');
  if (sentinelAuth && target.mode !== 'sentinel') problems.add(sentinelAuth, 'needs a redis+sentinel:// URL');
  if (resolved.minReplicasAck > 0) {
    if (target.mode === 'cluster') problems.add('minReplicasAck', minReplicasAckOnCluster);
    if (resolved.ackTimeoutMs >= resolved.publishTimeoutMs) problems.add('ackTimeoutMs', `(${resolved.ackTimeoutMs}) must be below publishTimeoutMs (${resolved.publishTimeoutMs})`);
  }
}

/** TLS and Sentinel credentials from the options, for every Redis connection the module makes. */
export function redisConnectionSettings(options: ResolvedSseOptions): RedisConnectionSettings {
  return { tls: options.redisTls, sentinelUsername: options.sentinelUsername, sentinelPassword: options.sentinelPassword };
}
