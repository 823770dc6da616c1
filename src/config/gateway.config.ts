import { sseOptionProblems, type SseModuleOptions } from '../sse/internals.js';
import { EnvReader } from './env-parsers.js';
import { readInstanceId, readLoggingConfig, type LoggingConfig } from './logging.config.js';
import { readServerConfig, type ServerConfig } from './server.config.js';
import { envNameOf, readSseOptions } from './sse-options.config.js';
import { readWorkerCount } from './workers.config.js';

/** The gateway's settings, read from the environment (README: Configuration). */
export interface GatewayConfig {
  readonly port: number;
  readonly host: string;
  /** Names this process in logs, `X-Instance-Id` and presence (`INSTANCE_ID`, default host name and pid). */
  readonly instanceId: string;
  /** Gateway processes sharing the port (`SSE_WORKERS`; README: Every core); 1: this process serves alone. */
  readonly workers: number;
  /** The module's options, passed to `SseModule.forRoot` whole: the module fills in its own defaults. */
  readonly sse: SseModuleOptions;
  /** What the gateway process itself does with HTTP: CORS, timeouts, the access log. */
  readonly server: ServerConfig;
  /** Longest event loop stall (ms) `GET /health/live` tolerates before it answers 503 (README: Health). */
  readonly livenessMaxDelayMs: number;
  /** Log format and threshold (README: Logs). */
  readonly logging: LoggingConfig;
  /**
   * New streams between two heap compactions (`SSE_HEAP_COMPACT_AFTER_STREAMS`; 0, the
   * default: never; see `HeapCompactor`). README: Performance.
   */
  readonly heapCompactAfterStreams: number;
  /**
   * Growth of V8's old generation, in percent of what the last full collection kept, that
   * brings the next one (`SSE_HEAP_GROWING_PERCENT`; 0: V8's own factor; see
   * `limitHeapGrowth`). README: Performance.
   */
  readonly heapGrowingPercent: number;
}

/** A bad setting: the message lists every problem found, one per line. */
export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/**
 * Reads every setting and validates it; throws `ConfigError` naming all bad values at
 * once. The environment gives formats (numbers, lists, URLs); the module's own option
 * checks judge the values, reported under the variable's name.
 */
export function loadGatewayConfig(env: NodeJS.ProcessEnv = process.env): GatewayConfig {
  const read = new EnvReader(env);
  const instanceId = readInstanceId(read);
  const config: GatewayConfig = {
    port: read.integer('PORT', 3000, 0, 65_535),
    host: read.pattern('HOST', '0.0.0.0', /^[A-Za-z0-9.:[\]-]+$/, 'must be a host name or IP address'),
    instanceId,
    workers: readWorkerCount(read, instanceId),
    sse: { ...readSseOptions(read), instanceId },
    server: readServerConfig(read),
    livenessMaxDelayMs: read.integer('SSE_LIVENESS_MAX_DELAY_MS', 10_000, 100, 10 * 60_000),
    logging: readLoggingConfig(read),
    heapCompactAfterStreams: read.integer('SSE_HEAP_COMPACT_AFTER_STREAMS', 0, 0, 10_000_000),
    heapGrowingPercent: read.integer('SSE_HEAP_GROWING_PERCENT', 25, 0, 1_000),
  };
  // A value the environment could not parse stays unset here, so it is named once, by the reader;
  // so is a variable whose combination with others the reader already refused, in its own words.
  const named = read.problems.join('\n');
  const moduleProblems = sseOptionProblems(config.sse)
    .map((problem) => ({ name: envNameOf(problem.option), message: problem.message }))
    .filter(({ name }) => !named.includes(name.replace(/\*$/, '')));
  const problems = [...read.problems, ...moduleProblems.map(({ name, message }) => `${name} ${message}`)];
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}
