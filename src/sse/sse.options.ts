import { hostname } from 'node:os';
import type { ResolvedSseOptions, SseModuleOptions } from './interfaces/sse-module-options.interface.js';
import { SSE_DEFAULTS } from './sse.constants.js';

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
  };
  if (!(resolved.rebalanceRatio === 0 || resolved.rebalanceRatio >= 1)) {
    throw new RangeError(`SseModule option rebalanceRatio must be 0 (off) or at least 1, got ${resolved.rebalanceRatio}`);
  }
  for (const key of ['historyLimit', 'heartbeatMs', 'maxBufferBytes', 'maxChannelsPerStream', 'maxEventBytes', 'publishTimeoutMs', 'rebalanceRate', 'presenceIntervalMs'] as const) {
    if (!Number.isInteger(resolved[key]) || resolved[key] < 1) {
      throw new RangeError(`SseModule option ${key} must be a positive integer, got ${resolved[key]}`);
    }
  }
  for (const key of ['retryMs', 'drainMs'] as const) {
    if (!Number.isInteger(resolved[key]) || resolved[key] < 0) {
      throw new RangeError(`SseModule option ${key} must be a non-negative integer, got ${resolved[key]}`);
    }
  }
  return resolved;
}
