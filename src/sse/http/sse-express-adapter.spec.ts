import type { Express } from 'express';
import { IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SseExpressAdapter } from './sse-express-adapter.js';

/** Starts the adapter's server on a free loopback port; records each request's prototype as the server built it. */
async function serve(adapter: SseExpressAdapter): Promise<{ url: string; prototypes: object[]; server: Server }> {
  const app = adapter.getInstance<Express>();
  app.post('/echo', (req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => res.status(201).json({ body, path: req.path }));
  });
  const server = adapter.getHttpServer() as Server;
  const prototypes: object[] = [];
  // Runs before Express's own listener, which switches the prototype when it differs.
  server.prependListener('request', (req: IncomingMessage, res) => prototypes.push(Object.getPrototypeOf(req), Object.getPrototypeOf(res)));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, prototypes, server };
}

describe('SseExpressAdapter', () => {
  let server: Server | undefined;
  afterEach(async () => {
    await new Promise((resolve) => server?.close(resolve));
    server = undefined;
  });

  it('builds requests and responses with the Express app prototypes, and Express serves them', async () => {
    const adapter = new SseExpressAdapter();
    adapter.initHttpServer({});
    const started = await serve(adapter);
    server = started.server;

    for (let i = 0; i < 2; i++) {
      const answer = await fetch(`${started.url}/echo`, { method: 'POST', body: `hello ${i}` });
      expect(answer.status).toBe(201);
      expect(answer.headers.get('content-type')).toMatch(/^application\/json/);
      await expect(answer.json()).resolves.toEqual({ body: `hello ${i}`, path: '/echo' });
    }
    const app = adapter.getInstance<Express>();
    expect(started.prototypes).toEqual([app.request, app.response, app.request, app.response]);
  });

  it('leaves forceCloseConnections to Nest’s own server, whose requests Express re-prototypes', async () => {
    const adapter = new SseExpressAdapter();
    adapter.initHttpServer({ forceCloseConnections: true });
    const started = await serve(adapter);
    server = started.server;

    const answer = await fetch(`${started.url}/echo`, { method: 'POST', body: 'x' });
    expect(answer.status).toBe(201);
    expect(started.prototypes[0]).toBe(IncomingMessage.prototype);
  });
});
