import type { SseModuleOptions } from 'nest-sse-gateway';

/** What the service reads from its environment. */
export interface OrdersConfig {
  readonly port: number;
  /** Unset: every interface. */
  readonly host: string | undefined;
  /** The key other services send as `X-API-Key` to use the `/sse` API. */
  readonly apiKey: string;
  /** Passed to `SseModule.forRoot`; what is unset keeps the module's default. */
  readonly sse: Pick<SseModuleOptions, 'redis' | 'maxConnections' | 'maxBufferBytes' | 'drainMs'>;
}

/**
 * `PORT` (3000), `HOST`, `ORDERS_API_KEY` (required, 16 characters or more), `REDIS_URL`
 * (unset: in-memory, one instance), `SSE_MAX_CONNECTIONS`, `SSE_MAX_BUFFER_BYTES`,
 * `SSE_DRAIN_MS`. Throws with every bad setting named.
 */
export function readConfig(env: NodeJS.ProcessEnv): OrdersConfig {
  const problems: string[] = [];
  const integer = (name: string, fallback?: number): number | undefined => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < 0) problems.push(`${name} must be a whole number, got "${raw}"`);
    return value;
  };
  const port = integer('PORT', 3000)!;
  const apiKey = env.ORDERS_API_KEY ?? '';
  if (apiKey.length < 16) problems.push('ORDERS_API_KEY must be set, 16 characters or more');
  const sse = {
    redis: env.REDIS_URL || undefined,
    maxConnections: integer('SSE_MAX_CONNECTIONS'),
    maxBufferBytes: integer('SSE_MAX_BUFFER_BYTES'),
    drainMs: integer('SSE_DRAIN_MS'),
  };
  if (problems.length > 0) throw new Error(`bad settings: ${problems.join('; ')}`);
  return { port, host: env.HOST || undefined, apiKey, sse };
}
