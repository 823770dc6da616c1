import type { Server } from 'node:http';
import type { Socket } from 'node:net';

export interface ServerTimeouts {
  /** A request's headers must arrive within this (ms). */
  readonly headersTimeoutMs: number;
  /** A whole request (headers and body) must arrive within this (ms). */
  readonly requestTimeoutMs: number;
  /** A kept-alive connection waits this long for its next request (ms). */
  readonly keepAliveTimeoutMs: number;
  /** A connection with no traffic either way is closed after this (ms); streams are exempt. */
  readonly idleTimeoutMs: number;
}

/**
 * Slow-loris defence without cutting healthy streams. Node checks `headersTimeout` only
 * every 30 s, so each connection also gets its own timer: its (next) request's headers
 * must be complete within `headersTimeoutMs`, or it is destroyed. Streams clear the idle
 * timeout themselves (`SseConnection.open`), and their heartbeats keep them busy anyway.
 */
export function applyServerTimeouts(server: Server, timeouts: ServerTimeouts): void {
  server.headersTimeout = timeouts.headersTimeoutMs;
  server.requestTimeout = Math.max(timeouts.requestTimeoutMs, timeouts.headersTimeoutMs);
  server.keepAliveTimeout = timeouts.keepAliveTimeoutMs;
  server.timeout = timeouts.idleTimeoutMs;

  const timers = new WeakMap<Socket, NodeJS.Timeout>();
  const arm = (socket: Socket, ms: number) => {
    clearTimeout(timers.get(socket));
    const timer = setTimeout(() => socket.destroy(), ms);
    timer.unref();
    timers.set(socket, timer);
  };
  server.on('connection', (socket: Socket) => {
    arm(socket, timeouts.headersTimeoutMs);
    socket.once('close', () => clearTimeout(timers.get(socket)));
  });
  server.on('request', (request, response) => {
    const socket = request.socket as Socket;
    clearTimeout(timers.get(socket));
    // A stream keeps its socket for hours: no cleared timer stays with it.
    timers.delete(socket);
    // Kept alive after this answer: the next request gets the keep-alive wait plus its own header window.
    response.once('finish', () => {
      if (!socket.destroyed) arm(socket, timeouts.keepAliveTimeoutMs + timeouts.headersTimeoutMs);
    });
  });
}

