import type { IncomingMessage, ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import type { Socket } from 'node:net';

/**
 * Taking an event stream's socket over from Node's HTTP server once its head is out.
 *
 * Why: a stream only ever writes frames until it closes, yet the server keeps, for its
 * whole life, the request parser, the request and response objects and their listeners —
 * about 7 KiB per connection, more than the socket itself — and every frame written
 * through the response passes its checks. Taken over, the stream holds its socket alone
 * and each frame is one `socket.write`.
 *
 * How: what Node itself does before handing a socket to an `upgrade` listener
 * (lib/_http_server.js, `onParserExecuteCommon`): free the parser (`freeParser` of the
 * public `_http_common` module, which also stops it reading from the socket), detach the
 * response, and remove the server's own socket listeners. The listeners are found by
 * name; if a Node version names them otherwise, they stay, which costs memory only: the
 * parser is freed and the response detached either way, so nothing else writes to the
 * socket. The takeover is checked by the suite on every run.
 */
const { freeParser } = createRequire(import.meta.url)('_http_common') as {
  freeParser(parser: unknown, request: IncomingMessage | null, socket: Socket | null): void;
};

/** The HTTP server's per-socket listeners (Node 20 and 22), by the names Node gives them. */
const SERVER_LISTENERS: Readonly<Record<string, readonly string[]>> = {
  data: ['bound socketOnData'],
  end: ['bound socketOnEnd'],
  close: ['bound socketOnClose'],
  drain: ['bound socketOnDrain'],
  error: ['socketOnError'],
  timeout: ['socketOnTimeout'],
  resume: ['onSocketResume'],
  pause: ['onSocketPause'],
};

/** The HTTP server's listener on each response, which hands the socket to the next request. */
const SERVER_FINISH_LISTENER = 'bound resOnFinish';

/**
 * Whether `listener` is a `close` or `finish` listener `Readable.prototype.pipe` puts on its
 * destination (lib/internal/streams/readable.js: `function onclose() { …; unpipe(); }`), as Nest's
 * `@Sse()` handling pipes its own stream into the response before a stream is claimed. Called
 * at once, it unpipes: kept until the stream ends, it would keep that stream, the request and
 * the response (about 10 KiB) for the connection's whole life.
 */
function isPipeListener(listener: () => void): boolean {
  return (listener.name === 'onclose' || listener.name === 'onfinish') && /\bunpipe\(\)/.test(String(listener));
}

type HttpSocket = Socket & { parser?: unknown };

export interface TakenOverSocket {
  /** Null when there was none to take (the client left already). */
  readonly socket: Socket | null;
  /**
   * Whoever waited for the response to end (`close`, `finish`: an access log, a connection
   * slot), to be called when the stream ends instead.
   */
  readonly onEnd: readonly (() => void)[];
}

/**
 * Takes the socket of `response` from the HTTP server, after the response's head (and any
 * first bytes) was written, and finishes the response for Node and Nest (nothing more is
 * written through it). Afterwards only the caller writes to the socket, and it must handle
 * the socket's `error`, `end` and `close`.
 */
export function takeOverSocket(request: IncomingMessage, response: ServerResponse): TakenOverSocket {
  const listeners = [...response.listeners('close'), ...response.listeners('finish')] as (() => void)[];
  // One of a pipe's two listeners unpipes it (each removes the other first).
  const pipes = listeners.filter((listener) => isPipeListener(listener) && listener.name === 'onclose');
  const onEnd = listeners.filter((listener) => listener.name !== SERVER_FINISH_LISTENER && !isPipeListener(listener));
  response.removeAllListeners('close');
  response.removeAllListeners('finish');
  const socket = response.socket as HttpSocket | null;
  if (socket && !socket.destroyed) {
    if (socket.parser) freeParser(socket.parser, request, socket);
    response.detachSocket(socket);
    for (const [event, names] of Object.entries(SERVER_LISTENERS)) {
      for (const listener of socket.listeners(event) as { name: string }[]) {
        if (names.includes(listener.name)) socket.removeListener(event, listener as (...args: unknown[]) => void);
      }
    }
  }
  // Ended, but detached: it writes nothing, and Nest's `@Sse()` handling sees `writableEnded`.
  response.end();
  for (const unpipe of pipes) unpipe();
  return { socket: socket && !socket.destroyed ? socket : null, onEnd };
}
