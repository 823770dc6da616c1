/** Injection token of the options with defaults filled in (`ResolvedSseOptions`). */
export const SSE_OPTIONS = Symbol('SSE_OPTIONS');

/** Injection token of the static `http` part of `forRoot` / `forRootAsync` (where the API is mounted). */
export const SSE_HTTP_MOUNT = Symbol('SSE_HTTP_MOUNT');

/**
 * Injection token of the prom-client `Registry` the module's metrics are in (README:
 * Observability / Metrics); `null` when `forRoot({ metrics })` is off. Serve it at `GET /metrics`.
 */
export const SSE_METRICS_REGISTRY = Symbol('SSE_METRICS_REGISTRY');
