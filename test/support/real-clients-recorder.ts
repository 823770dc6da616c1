import net from 'node:net';

/** One HTTP/1.1 exchange as it went over the wire through the recorder. */
export interface RecordedExchange {
  /** The request line, e.g. `GET /events?channel=a HTTP/1.1`. */
  readonly requestLine: string;
  /** The request's head as sent: request line, header lines and the blank line, in bytes. */
  readonly headBytes: number;
  /** Its header fields, names in lower case (the last one of a repeated name). */
  readonly headers: Record<string, string>;
  /** The answer's status code, once its head came back. */
  status?: number;
}

/** A TCP proxy on a free loopback port that records every request head and answer status passing through. */
export interface RequestRecorder {
  readonly port: number;
  readonly url: string;
  readonly exchanges: RecordedExchange[];
  close(): Promise<void>;
}

/**
 * Forwards every connection to `127.0.0.1:targetPort` byte for byte, and reads both directions
 * as HTTP/1.1 (keep-alive, Content-Length and chunked bodies) to record what each request
 * weighed on the wire and how it was answered: what a browser really sends, measured where a
 * proxy or server would count it.
 */
export async function startRequestRecorder(targetPort: number): Promise<RequestRecorder> {
  const exchanges: RecordedExchange[] = [];
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(targetPort, '127.0.0.1');
    sockets.add(client).add(upstream);
    const pending: RecordedExchange[] = [];
    const requests = new HttpWalker('request', (head) => {
      const exchange = { ...parseHead(head), headBytes: head.length };
      exchanges.push(exchange);
      pending.push(exchange);
    });
    const answers = new HttpWalker('response', (head) => {
      const exchange = pending.shift();
      if (exchange) exchange.status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(head.toString('latin1'))?.[1]);
    });
    client.on('data', (chunk: Buffer) => {
      requests.push(chunk);
      upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => {
      answers.push(chunk);
      client.write(chunk);
    });
    const end = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('close', end).on('error', end);
    upstream.on('close', end).on('error', end);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    exchanges,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

function parseHead(head: Buffer): Omit<RecordedExchange, 'headBytes'> {
  const [requestLine = '', ...lines] = head.toString('latin1').split('\r\n');
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { requestLine, headers };
}

/** Reads one direction of an HTTP/1.1 connection: heads, then bodies by Content-Length or chunks. */
class HttpWalker {
  private buffer = Buffer.alloc(0);
  private state: { kind: 'head' } | { kind: 'body'; left: number } | { kind: 'chunk-size' } | { kind: 'chunk'; left: number } | { kind: 'trailer' } | { kind: 'until-close' } = { kind: 'head' };

  constructor(
    private readonly side: 'request' | 'response',
    private readonly onHead: (head: Buffer) => void,
  ) {}

  push(chunk: Buffer): void {
    this.buffer = Buffer.concat([this.buffer, chunk]);
    for (;;) {
      const state = this.state;
      if (state.kind === 'until-close') return void (this.buffer = Buffer.alloc(0));
      if (state.kind === 'body' || state.kind === 'chunk') {
        const take = Math.min(state.left, this.buffer.length);
        this.buffer = this.buffer.subarray(take);
        state.left -= take;
        if (state.left > 0) return;
        this.state = state.kind === 'body' ? { kind: 'head' } : { kind: 'chunk-size' };
        continue;
      }
      const eol = this.buffer.indexOf(state.kind === 'head' ? '\r\n\r\n' : '\r\n');
      if (eol === -1) return;
      if (state.kind === 'head') {
        const head = this.buffer.subarray(0, eol + 4);
        this.buffer = this.buffer.subarray(eol + 4);
        this.onHead(head);
        this.state = this.bodyOf(head);
      } else if (state.kind === 'chunk-size') {
        const size = parseInt(this.buffer.subarray(0, eol).toString('latin1'), 16);
        this.buffer = this.buffer.subarray(eol + 2);
        // Each chunk's data is followed by CRLF; the last (size 0) by trailers and a blank line.
        this.state = size === 0 ? { kind: 'trailer' } : { kind: 'chunk', left: size + 2 };
      } else {
        const line = this.buffer.subarray(0, eol);
        this.buffer = this.buffer.subarray(eol + 2);
        if (line.length === 0) this.state = { kind: 'head' };
      }
    }
  }

  private bodyOf(head: Buffer): HttpWalker['state'] {
    const { headers, requestLine } = parseHead(head);
    const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(requestLine)?.[1]);
    if (this.side === 'response' && (status === 204 || status === 304 || (status >= 100 && status < 200))) return { kind: 'head' };
    if (/chunked/i.test(headers['transfer-encoding'] ?? '')) return { kind: 'chunk-size' };
    if (headers['content-length'] !== undefined) {
      const left = Number(headers['content-length']);
      return left > 0 ? { kind: 'body', left } : { kind: 'head' };
    }
    // A request without a length has no body; a response without one runs until the connection closes.
    return this.side === 'request' ? { kind: 'head' } : { kind: 'until-close' };
  }
}
