import { Inject, Injectable, Logger } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { StreamRequest } from '../channel/stream-request.js';
import { sendError } from '../errors/error-body.js';
import { StreamRefusedError } from '../errors/unavailable.error.js';
import type { ResolvedSseOptions } from '../interfaces/index.js';
import { TOKEN_EXPIRED_EVENT } from '../sse.constants.js';
import { SSE_OPTIONS } from '../sse.tokens.js';
import { ConnectionRegistry } from './connection-registry.service.js';
import { EVENT_STREAM_HEADERS } from './event-stream-headers.js';
import { FrameWriter } from './frame-writer.js';
import { SseConnection } from './sse-connection.js';
import { takeOverSocket } from './socket-takeover.util.js';
import { streamExpiryOf } from './stream-expiry.js';
import { streamEnded, streamNotStarted } from './stream.messages.js';
import { errorMessage } from '../utils/error-message.util.js';

/**
 * Serves a stream request on an HTTP response: the one way every stream is served, the
 * HTTP API's routes and an application's own `@Sse()` handlers alike (see
 * `SseStreamInterceptor`).
 *
 * Refused past `maxConnections` or while draining (503 with `Retry-After`). Otherwise the
 * head goes out at once with `retry:`, the socket is taken over from the HTTP server, and
 * the stream is written by an `SseConnection` (shared frame bytes, bounded unsent bytes,
 * the slow-consumer cut) counted in the `ConnectionRegistry` (heartbeats, rebalancing,
 * drain on shutdown).
 */
@Injectable()
export class SseStreamWriter {
  private readonly logger = new Logger('SseStreams');
  private readonly connectedData: string;
  private readonly retryText: string;

  constructor(
    private readonly registry: ConnectionRegistry,
    @Inject(SSE_OPTIONS) private readonly options: ResolvedSseOptions,
  ) {
    this.connectedData = JSON.stringify({ instance: options.instanceId });
    this.retryText = `retry: ${options.retryMs}\n\n`;
  }

  /** Serves `stream` on `response`; false when it cannot, the response's head being out already. */
  serve(request: IncomingMessage, response: ServerResponse, stream: StreamRequest): boolean {
    if (response.headersSent || response.writableEnded) return false;
    try {
      this.registry.admit();
    } catch (error) {
      if (!(error instanceof StreamRefusedError)) throw error;
      for (const [name, value] of Object.entries(error.headers)) response.setHeader(name, value);
      sendError(response, error.status, error.message);
      return true;
    }
    if (request.method === 'HEAD') {
      // A probe (a balancer's check, say): the answer a stream would get, without the stream.
      response.writeHead(200, EVENT_STREAM_HEADERS).end();
      return true;
    }
    // The body ends when the connection does (HTTP/1.1 allows it; Node answers with
    // `Connection: close`): every frame is then one plain write instead of a chunk with its
    // own size line. A stream ends only by closing anyway.
    response.useChunkedEncodingByDefault = false;
    response.writeHead(200, EVENT_STREAM_HEADERS);
    response.write(this.retryText);
    const expiresAt = streamExpiryOf(response);
    const { socket, onEnd } = takeOverSocket(request, response);
    if (!socket) {
      for (const listener of onEnd) listener();
      return true;
    }
    socket.setNoDelay(true);
    socket.setKeepAlive(true);
    socket.setTimeout(0);

    const connection = new SseConnection(socket, this.options.maxBufferBytes, stream.latest);
    // Whoever waited for the response (an access log, a connection slot) waits for the stream.
    for (const listener of onEnd) connection.onClose(() => listener());
    this.registry.add(connection);
    if (expiresAt !== undefined) {
      connection.expireAt(expiresAt, TOKEN_EXPIRED_EVENT, () => JSON.stringify({ reason: 'token-expired', expiredAt: new Date(expiresAt).toISOString() }));
    }
    const handle = stream.open(new FrameWriter(connection, this.connectedData), (reason) => {
      this.logger.warn(streamEnded(stream.channels, reason));
      connection.end('error', reason);
    });
    connection.onClose(() => handle.close());
    handle.start().catch((error: unknown) => {
      // The broker failed while the stream started: the client reconnects with its position.
      this.logger.warn(streamNotStarted(stream.channels, errorMessage(error)));
      handle.close();
      connection.end('error', 'broker unavailable');
    });
    return true;
  }
}
