import type { Registry } from 'prom-client';

/** `SseModule.forRoot({ metrics })`: Prometheus metrics with prom-client (README: Observability / Metrics). */
export interface SseMetricsOptions {
  /**
   * The prom-client registry the series go in. Default: a registry of the module's own, which
   * the application serves from the `SSE_METRICS_REGISTRY` provider (the gateway at `GET /metrics`).
   * One registry holds the series of one module: prom-client refuses a name twice, so a second
   * module on the same registry fails at start.
   */
  registry?: Registry;
  /**
   * Channel patterns (`*` = one dot-separated segment, `**` = the rest) whose channels get
   * their own `channel` label on the published, delivered and lag series; every other channel
   * is counted under `channel="other"`. Default: none, and those series have no channel label
   * (one series per channel would grow without bound).
   */
  channels?: readonly string[];
  /** Node's default metrics (`collectDefaultMetrics`) in the same registry, unless it has them already (default true). */
  defaultMetrics?: boolean;
}

/** The metrics options with defaults filled in. */
export interface ResolvedSseMetricsOptions {
  readonly registry: Registry | undefined;
  readonly channels: readonly string[];
  readonly defaultMetrics: boolean;
}
