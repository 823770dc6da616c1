import net from 'node:net';

export interface RawAnswer {
  /** HTTP status, 0 when the server closed without answering, -1 on a client-side timeout. */
  readonly status: number;
  readonly text: string;
}

/**
 * Sends `head` (and `body`) as they are over a fresh TCP connection, with nothing checked or
 * escaped on the client side, and reads the answer: the whole of it, or only its head for
 * an event stream (then closes).
 */
export function rawRequest(port: number, head: Buffer | string, body?: Buffer, timeoutMs = 5000): Promise<RawAnswer> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let done = false;
    const socket = net.connect(port, '127.0.0.1');
    const finish = (status?: number) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      const text = Buffer.concat(chunks).toString('latin1');
      const match = /^HTTP\/1\.[01] (\d{3})/.exec(text);
      resolve({ status: status ?? (match ? Number(match[1]) : 0), text });
    };
    const timer = setTimeout(() => finish(-1), timeoutMs);
    socket.on('error', () => finish());
    socket.on('close', () => finish());
    socket.on('data', (chunk) => {
      chunks.push(chunk);
      const text = Buffer.concat(chunks).toString('latin1');
      // A stream never ends by itself: its head and first frame are enough.
      if (/\r\n\r\n/.test(text) && /content-type: text\/event-stream/i.test(text) && /retry: \d+\n\n/.test(text)) finish();
    });
    socket.write(typeof head === 'string' ? Buffer.from(head, 'utf8') : head);
    if (body) socket.write(body);
  });
}
