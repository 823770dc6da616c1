import { availableParallelism } from 'node:os';
import type { EnvReader } from './env-parsers.js';

/** Most worker processes `SSE_WORKERS` may ask for: far beyond any core count, short of a fork bomb. */
export const MAX_WORKERS = 256;

/**
 * `SSE_WORKERS`: how many gateway processes share the port (README: Every core). A whole
 * number from 1 to `MAX_WORKERS`, or `auto` for one per core (`os.availableParallelism()`).
 * Unset: `fallback` (1: `node dist/main.js` is one process; `dist/cluster-main.js` sets `auto`
 * before it hands over). More than one needs Redis, and room for the workers' `-w<n>` in
 * `INSTANCE_ID`; problems go to `read.problems` with the others.
 */
export function readWorkerCount(read: EnvReader, instanceId: string, fallback = 1): number {
  const workers = parseWorkerCount(read, fallback);
  if (workers === 1) return workers;
  // The in-memory broker lives in one process: workers without Redis would not see each
  // other's events (a publish would reach only the streams of the worker that took it).
  if (read.string('REDIS_URL') === undefined && read.string('REDIS_CLUSTER_NODES') === undefined) {
    read.problems.push(
      `SSE_WORKERS=${read.string('SSE_WORKERS')} runs ${workers} processes, which share events only through Redis: set REDIS_URL (or REDIS_CLUSTER_NODES), or SSE_WORKERS=1`,
    );
  }
  const longest = workerInstanceId(instanceId, workers);
  if (longest.length > 128) {
    read.problems.push(`INSTANCE_ID is too long for ${workers} workers: ${JSON.stringify(longest)} would pass 128 characters`);
  }
  return workers;
}

function parseWorkerCount(read: EnvReader, fallback: number): number {
  const raw = read.string('SSE_WORKERS')?.toLowerCase();
  if (raw === undefined) return fallback;
  if (raw === 'auto') return Math.min(availableParallelism(), MAX_WORKERS);
  if (/^\d+$/.test(raw) && Number(raw) >= 1 && Number(raw) <= MAX_WORKERS) return Number(raw);
  read.problems.push(`SSE_WORKERS=${JSON.stringify(raw)} must be auto (one per core) or a whole number from 1 to ${MAX_WORKERS}`);
  return 1;
}

/** A worker's `INSTANCE_ID`: the gateway's, with the worker's number (`gw-a` → `gw-a-w2`). */
export function workerInstanceId(instanceId: string, worker: number): string {
  return `${instanceId}-w${worker}`;
}
