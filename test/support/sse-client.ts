import http, { type IncomingHttpHeaders } from 'node:http';
import { EventStreamParser, type ParsedEvent } from '../../src/sse/wire/testing/event-stream.parser.js';

/** An open event stream read the way a browser's EventSource reads it. */
export interface TestStream {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly parser: EventStreamParser;
  /** Every byte received so far, as text. */
  text(): string;
  /** Resolves once `count` events have been dispatched (rejects after `timeoutMs`). */
  waitForEvents(count: number, timeoutMs?: number): Promise<ParsedEvent[]>;
  waitUntil(condition: () => boolean, timeoutMs?: number, what?: string): Promise<void>;
  /** Resolves when the server ends the stream. */
  readonly ended: Promise<void>;
  close(): void;
}

/** Opens `GET url` with `Accept: text/event-stream`; resolves when the response head arrives. */
export function openStream(url: string, headers: Record<string, string> = {}): Promise<TestStream> {
  return new Promise((resolve, reject) => {
    const request = http.get(url, { headers: { accept: 'text/event-stream', ...headers } }, (response) => {
      // `sse.connected` (which instance serves the stream) is kept apart: tests count data events.
      const parser = new EventStreamParser(undefined, ['sse.connected']);
      const chunks: Buffer[] = [];
      let endedResolve!: () => void;
      const ended = new Promise<void>((r) => (endedResolve = r));
      response.on('data', (chunk: Buffer) => {
        chunks.push(chunk);
        parser.push(chunk);
      });
      response.on('end', () => endedResolve());
      response.on('close', () => endedResolve());
      response.on('error', () => endedResolve());
      const waitUntil = async (condition: () => boolean, timeoutMs = 5000, what = 'condition') => {
        const deadline = Date.now() + timeoutMs;
        while (!condition()) {
          if (Date.now() > deadline) {
            throw new Error(`${what} not met within ${timeoutMs} ms; received:\n${Buffer.concat(chunks).toString('utf8').slice(-2000)}`);
          }
          await new Promise((r) => setTimeout(r, 5));
        }
      };
      resolve({
        status: response.statusCode ?? 0,
        headers: response.headers,
        parser,
        ended,
        text: () => Buffer.concat(chunks).toString('utf8'),
        waitUntil,
        async waitForEvents(count, timeoutMs = 5000) {
          await waitUntil(() => parser.events.length >= count, timeoutMs, `${count} events`);
          return parser.events.slice(0, count);
        },
        close: () => request.destroy(),
      });
    });
    request.on('error', reject);
  });
}

export interface JsonResponse<T = unknown> {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: T;
  readonly text: string;
}

/** A plain HTTP request whose answer is read whole (and parsed as JSON when it is JSON). */
export function request<T = any>(
  method: string,
  url: string,
  options: { body?: string | Buffer; json?: unknown; headers?: Record<string, string> } = {},
): Promise<JsonResponse<T>> {
  const body = options.json !== undefined ? JSON.stringify(options.json) : options.body;
  const headers: Record<string, string> = { ...options.headers };
  if (options.json !== undefined && !Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) {
    headers['content-type'] = 'application/json';
  }
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, headers }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (c: Buffer) => chunks.push(c));
      response.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let parsed: unknown = text;
        if (/json/.test(response.headers['content-type'] ?? '')) {
          try {
            parsed = JSON.parse(text);
          } catch {
            parsed = text;
          }
        }
        resolve({ status: response.statusCode ?? 0, headers: response.headers, body: parsed as T, text });
      });
      response.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

export const post = <T = any>(url: string, json: unknown, headers?: Record<string, string>) =>
  request<T>('POST', url, { json, headers });
