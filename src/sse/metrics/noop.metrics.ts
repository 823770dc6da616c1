import type { SseMetrics } from './sse-metrics.interface.js';

const nothing = (): void => undefined;

/** Counts nothing: the module's metrics when `forRoot({ metrics })` is off. */
export const NOOP_SSE_METRICS: SseMetrics = Object.freeze({
  streamOpened: nothing,
  streamClosed: nothing,
  published: nothing,
  delivered: nothing,
  replayed: nothing,
  reset: nothing,
  streamsShed: nothing,
  watchRedisConnections: nothing,
  redisError: nothing,
  watchTransport: nothing,
});
