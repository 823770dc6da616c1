/** How long to wait before reopening a stream; every wait is jittered so clients spread out. */
export interface BackoffOptions {
  /** First wait, ms, unless the server said otherwise with `retry:` (default 1000). */
  readonly initialMs?: number;
  /** Longest wait, ms (default 30000). */
  readonly maxMs?: number;
  /** Growth per failed attempt (default 2). */
  readonly factor?: number;
}

export const DEFAULT_BACKOFF: Required<BackoffOptions> = { initialMs: 1000, maxMs: 30_000, factor: 2 };

/**
 * The wait before attempt `attempt` (0 = the first reconnect): the base grows by `factor`
 * per attempt up to `maxMs`, then a random share of it is taken ("equal jitter": half fixed,
 * half random), so a crowd of clients refused together does not come back together.
 * `floorMs` (a `Retry-After`) is never undercut; `random` is injectable for tests.
 */
export function backoffDelay(
  attempt: number,
  options: BackoffOptions = {},
  baseMs?: number,
  floorMs = 0,
  random: () => number = Math.random,
): number {
  const { initialMs, maxMs, factor } = { ...DEFAULT_BACKOFF, ...options };
  const base = Math.min(maxMs, (baseMs ?? initialMs) * Math.pow(factor, Math.max(0, attempt)));
  const jittered = base / 2 + random() * (base / 2);
  return Math.round(Math.max(floorMs, jittered));
}

/** `Retry-After` in ms: seconds or an HTTP date; `undefined` when absent or unreadable. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  if (!value) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
