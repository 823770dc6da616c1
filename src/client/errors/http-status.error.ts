import { httpStatus } from '../client.messages.js';
import { parseRetryAfter } from '../hub/backoff.util.js';

/**
 * A gateway answer that is not the one asked for: its status, the gateway's own message
 * (the JSON error body's `message`) and, when it said when to come back, `Retry-After`.
 */
export class HttpStatusError extends Error {
  constructor(
    readonly status: number,
    readonly retryAfterMs: number | undefined,
    readonly detail?: string,
  ) {
    super(httpStatus(status, detail));
    this.name = 'HttpStatusError';
  }

  /** A request the gateway will refuse every time (a bad channel name, too many channels). */
  get permanent(): boolean {
    return this.status === 400;
  }

  /** Refused for its token: 401 (none, or not accepted) or 403 (not allowed these channels). */
  get unauthorized(): boolean {
    return this.status === 401 || this.status === 403;
  }

  /** Reads what the gateway said (the body of a 400, 401 or 403; any other body is dropped unread). */
  static async of(response: Response, prefix?: (status: number, detail: string) => string): Promise<HttpStatusError> {
    const retryAfter = parseRetryAfter(response.headers.get('retry-after'));
    let detail: string | undefined;
    if (response.status === 400 || response.status === 401 || response.status === 403) {
      const body = (await response.json().catch(() => undefined)) as { message?: unknown } | undefined;
      if (typeof body?.message === 'string') detail = body.message;
    } else {
      await response.body?.cancel().catch(() => undefined);
    }
    const error = new HttpStatusError(response.status, retryAfter, detail);
    if (prefix) error.message = prefix(response.status, detail ?? '');
    return error;
  }
}
