import type { Cluster, Redis } from 'ioredis';
import { BrokerUnavailableError, SseError } from '../errors/index.js';
import { brokerTimeout, redisRefused, redisUnreachable } from '../sse.messages.js';
import { errorMessage } from '../utils/error-message.util.js';

/** Connection status for operators; every method is optional noise. */
export interface RedisBrokerLogger {
  log(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export const silentLogger: RedisBrokerLogger = { log() {}, warn() {}, error() {} };

export const noop = () => undefined;

/** Bounds a Redis call by `timeoutMs` and turns every failure into a `BrokerUnavailableError`. */
export async function boundedCall<T>(work: () => Promise<T>, timeoutMs: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('Command timed out')), timeoutMs);
  });
  try {
    return await Promise.race([work(), expired]);
  } catch (error) {
    throw toUnavailable(error, timeoutMs);
  } finally {
    clearTimeout(timer);
  }
}

/** One wait per connection, however many callers (and timed-out callers) are waiting. */
const readyWaits = new WeakMap<Redis | Cluster, Promise<void>>();

/** Resolves when the connection is ready (connecting it if it was never asked to). */
export function whenReady(conn: Redis | Cluster): Promise<void> {
  if (conn.status === 'ready') return Promise.resolve();
  let ready = readyWaits.get(conn);
  if (!ready) {
    ready = new Promise<void>((resolve) =>
      (conn as Redis).once('ready', () => {
        readyWaits.delete(conn);
        resolve();
      }),
    );
    readyWaits.set(conn, ready);
  }
  if (conn.status === 'wait') conn.connect().catch(noop); // failures: retried, and logged by the watcher
  return ready;
}

/** Exponential backoff with jitter, at most `maxMs` (+100 ms of jitter). */
export function backoff(times: number, maxMs: number): number {
  return Math.min(50 * 2 ** Math.min(times, 6), maxMs) + Math.floor(Math.random() * 100);
}

/** A listener that throws must not stop delivery to the others. */
export function guard(call: () => void): void {
  try {
    call();
  } catch {
    // The channel layer's listeners do not throw; a foreign one is isolated here.
  }
}

export function reasonOf(error: unknown): string {
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
  return cause instanceof Error ? cause.message : String(cause);
}

function toUnavailable(error: unknown, timeoutMs: number): SseError {
  if (error instanceof SseError) return error;
  const message = errorMessage(error);
  const detail =
    message === 'Command timed out'
      ? brokerTimeout(timeoutMs)
      : error instanceof Error && error.name === 'ReplyError'
        ? redisRefused
        : redisUnreachable;
  const wrapped = new BrokerUnavailableError(detail);
  wrapped.cause = error;
  return wrapped;
}
