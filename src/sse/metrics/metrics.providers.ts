import type { Provider } from '@nestjs/common';
import type { ResolvedSseOptions } from '../interfaces/sse-module-options.interface.js';
import { SSE_METRICS_REGISTRY, SSE_OPTIONS } from '../sse.tokens.js';
import { NOOP_SSE_METRICS } from './noop.metrics.js';
import { PrometheusSseMetrics } from './prometheus.metrics.js';
import { SseMetrics } from './sse-metrics.interface.js';

/**
 * The module's metrics, chosen by one factory: prom-client when `forRoot({ metrics })` is
 * on, else counting nothing; and the registry they are in (`null` when off), for whoever
 * serves `GET /metrics`.
 */
export const METRICS_PROVIDERS: Provider[] = [
  {
    provide: SseMetrics,
    inject: [SSE_OPTIONS],
    useFactory: (options: ResolvedSseOptions): SseMetrics => (options.metrics ? new PrometheusSseMetrics(options.metrics) : NOOP_SSE_METRICS),
  },
  {
    provide: SSE_METRICS_REGISTRY,
    inject: [SseMetrics],
    useFactory: (metrics: SseMetrics) => (metrics instanceof PrometheusSseMetrics ? metrics.registry : null),
  },
];
