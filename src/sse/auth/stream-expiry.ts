import type { ServerResponse } from 'node:http';
import { markClosing } from '../stream/close-reason.util.js';
import { encodeEvent } from '../wire/event-stream.encoder.js';
import { TOKEN_EXPIRED_EVENT } from './auth.messages.js';

const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Ends an event stream when the token it was opened with expires, after an event saying
 * why (`sse.token-expired`, no `id:` so the client keeps its last id): the client gets a
 * fresh token and reconnects from where it was.
 */
export function closeStreamAtExpiry(response: ServerResponse, expiresAt: number): void {
  let timer: NodeJS.Timeout | undefined;
  const arm = (delay: number) => {
    timer = setTimeout(fire, Math.max(0, Math.min(delay, MAX_TIMER_MS)));
    timer.unref();
  };
  const fire = () => {
    if (response.writableEnded || response.destroyed) return;
    const left = expiresAt - Date.now();
    if (left > 0) return arm(left);
    // Not a stream yet (still opening): look again in a moment.
    if (!response.headersSent) return arm(50);
    if (!String(response.getHeader('content-type') ?? '').startsWith('text/event-stream')) return;
    const data = JSON.stringify({ reason: 'token-expired', expiredAt: new Date(expiresAt).toISOString() });
    response.write(encodeEvent({ event: TOKEN_EXPIRED_EVENT, data }));
    markClosing(response, 'token-expired');
    response.end();
  };
  response.once('close', () => clearTimeout(timer));
  arm(expiresAt - Date.now());
}
