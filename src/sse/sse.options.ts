import { hostname } from 'node:os';
import { parseRedisTarget } from './broker/redis-url.util.js';
import type { ResolvedSseOptions, SseModuleOptions } from './interfaces/sse-module-options.interface.js';
import { SSE_DEFAULTS } from './sse.constants.js';
import { minReplicasAckOnCluster } from './sse.messages.js';

const DEFAULT_MAX_EVENT_BYTES = 65_536;
const DEFAULT_DRAIN_MS = 5_000;

/** Fills in the defaults and checks what no default can fix. */
export function resolveSseOptions(options: SseModuleOptions): ResolvedSseOptions {
  const resolved: ResolvedSseOptions = {
    redis: options.redis || undefined,
    broker: options.broker,
    historyLimit: options.historyLimit ?? SSE_DEFAULTS.historyLimit,
    heartbeatMs: options.heartbeatMs ?? SSE_DEFAULTS.heartbeatMs,
    retryMs: options.retryMs ?? SSE_DEFAULTS.retryMs,
    maxBufferBytes: options.maxBufferBytes ?? SSE_DEFAULTS.maxBufferBytes,
    maxChannelsPerStream: options.maxChannelsPerStream ?? SSE_DEFAULTS.maxChannelsPerStream,
    maxEventBytes: options.maxEventBytes ?? DEFAULT_MAX_EVENT_BYTES,
    publishTimeoutMs: options.publishTimeoutMs ?? SSE_DEFAULTS.publishTimeoutMs,
    keyPrefix: options.keyPrefix ?? SSE_DEFAULTS.keyPrefix,
    instanceId: options.instanceId || `${hostname()}-${process.pid}`,
    maxConnections: options.maxConnections,
    drainMs: options.drainMs ?? DEFAULT_DRAIN_MS,
    latestChannels: options.latestChannels ?? [],
    rebalanceRatio: options.rebalanceRatio ?? 1.25,
    rebalanceRate: options.rebalanceRate ?? 5,
    presenceIntervalMs: options.presenceIntervalMs ?? 1000,
    redisTls: options.redisTls,
    sentinelUsername: options.sentinelUsername,
    sentinelPassword: options.sentinelPassword,
    minReplicasAck: options.minReplicasAck ?? 0,
    ackTimeoutMs: options.ackTimeoutMs ?? 1000,
  };
  if (!(resolved.rebalanceRatio === 0 || resolved.rebalanceRatio >= 1)) {
    throw new RangeError(`SseModule option rebalanceRatio must be 0 (off) or at least 1, got ${resolved.rebalanceRatio}`);
  }
  for (const key of ['historyLimit', 'heartbeatMs', 'maxBufferBytes', 'maxChannelsPerStream', 'maxEventBytes', 'publishTimeoutMs', 'rebalanceRate', 'presenceIntervalMs'] as const) {
    if (!Number.isInteger(resolved[key]) || resolved[key] < 1) {
      throw new RangeError(`SseModule option ${key} must be a positive integer, got ${resolved[key]}`);
    }
  }
  checkRedisOptions(resolved);
  for (const key of ['retryMs', 'drainMs'] as const) {
    if (!Number.isInteger(resolved[key]) || resolved[key] < 0) {
      throw new RangeError(`SseModule option ${key} must be a non-negative integer, got ${resolved[key]}`);
    }
  }
  return resolved;
}

/** The Redis connection settings against the URL they apply to. */
function checkRedisOptions(resolved: ResolvedSseOptions): void {
  const fail = (message: string) => {
    throw new RangeError(`SseModule option ${message}`);
  };
  if (!Number.isInteger(resolved.minReplicasAck) || resolved.minReplicasAck < 0) fail(`minReplicasAck must be 0 (off) or a positive integer, got ${resolved.minReplicasAck}`);
  if (!Number.isInteger(resolved.ackTimeoutMs) || resolved.ackTimeoutMs < 1) fail(`ackTimeoutMs must be a positive integer, got ${resolved.ackTimeoutMs}`);
  const tls = resolved.redisTls;
  if ((tls?.cert === undefined) !== (tls?.key === undefined)) fail('redisTls needs cert and key together (a client certificate and its private key)');
  const sentinelAuth = resolved.sentinelUsername !== undefined || resolved.sentinelPassword !== undefined;
  if (!resolved.redis) {
    if (tls || sentinelAuth || resolved.minReplicasAck > 0) fail('redisTls, sentinelUsername, sentinelPassword and minReplicasAck need a redis URL');
    return;
  }
  const target = parseRedisTarget(resolved.redis);
  if (tls && !target.tls) fail('redisTls is set but the redis URL does not use TLS (rediss://, rediss+sentinel:// or rediss+cluster://)');
  if (sentinelAuth && target.mode !== 'sentinel') fail('sentinelUsername / sentinelPassword need a redis+sentinel:// URL');
  if (resolved.minReplicasAck > 0) {
    if (target.mode === 'cluster') fail(minReplicasAckOnCluster);
    if (resolved.ackTimeoutMs >= resolved.publishTimeoutMs) fail(`ackTimeoutMs (${resolved.ackTimeoutMs}) must be below publishTimeoutMs (${resolved.publishTimeoutMs})`);
  }
}
