import type { EnvReader } from './env-parsers.js';

/** What the gateway process does with HTTP around the module's API (README: Security). */
export interface ServerConfig {
  /** Allowed browser origins (`*`: any, without credentials); empty: no CORS headers. */
  readonly corsOrigins: readonly string[];
  /** Peers whose `X-Forwarded-For` is believed, for the access log's client address (the module's limits use the same list). */
  readonly trustedProxies: readonly string[];
  /** A request's headers must arrive within this (ms). */
  readonly headersTimeoutMs: number;
  /** A whole request (headers and body) must arrive within this (ms). */
  readonly requestTimeoutMs: number;
  /** A kept-alive connection waits this long for its next request (ms). */
  readonly keepAliveTimeoutMs: number;
  /** A connection with no traffic either way is closed after this (ms); streams are exempt. */
  readonly idleTimeoutMs: number;
  /** One log line per request (method, redacted URL, status, client address). */
  readonly accessLog: boolean;
  /** The OpenAPI document at `/openapi.json` and Swagger UI at `/docs` (`SSE_DOCS`, default on). */
  readonly docs: boolean;
  /**
   * The pages for people: the live demo at `/` (with its assets) and the cluster page
   * (`GET /cluster` as HTML). Off: both answer 404; `/cluster` as JSON stays (operations read it).
   */
  readonly demo: boolean;
}

/** Reads the server settings; problems go to `read.problems` with the others. */
export function readServerConfig(read: EnvReader): ServerConfig {
  return {
    corsOrigins: originList(read),
    trustedProxies: read.list('SSE_TRUSTED_PROXIES'),
    headersTimeoutMs: read.integer('SSE_HEADERS_TIMEOUT_MS', 10_000, 100, 600_000),
    requestTimeoutMs: read.integer('SSE_REQUEST_TIMEOUT_MS', 30_000, 100, 600_000),
    keepAliveTimeoutMs: read.integer('SSE_KEEP_ALIVE_TIMEOUT_MS', 5_000, 100, 600_000),
    idleTimeoutMs: read.integer('SSE_IDLE_TIMEOUT_MS', 30_000, 100, 3_600_000),
    accessLog: read.boolean('SSE_ACCESS_LOG', false),
    docs: read.boolean('SSE_DOCS', true),
    demo: read.boolean('SSE_DEMO', true),
  };
}

function originList(read: EnvReader): string[] {
  const origins = read.list('SSE_CORS_ORIGINS');
  if (origins.includes('*')) {
    if (origins.length > 1) read.problems.push('SSE_CORS_ORIGINS: "*" stands alone');
    return ['*'];
  }
  return origins.filter((origin) => {
    let parsed: URL | undefined;
    try {
      parsed = new URL(origin);
    } catch {
      parsed = undefined;
    }
    if (!parsed || parsed.origin !== origin || !/^https?:$/.test(parsed.protocol)) {
      read.problems.push(`SSE_CORS_ORIGINS: ${JSON.stringify(origin)} is not an origin like https://app.example.com`);
      return false;
    }
    return true;
  });
}
