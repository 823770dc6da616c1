import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { setImmediate as nextTurn } from 'node:timers/promises';
import v8 from 'node:v8';
import vm from 'node:vm';
import { SseModule } from '../src/sse/index.js';
import { OrdersModule } from './fixtures/orders.module.js';
import { openStream, post, type TestStream } from './support/sse-client.js';

// What an open stream keeps, and what it lets go. An idle stream should hold little more than
// its socket: once its head is out, the request, the response and whatever Nest's `@Sse()`
// handling attached to them are garbage, on the HTTP API's routes and an application's own
// `@Sse()` route alike; and once it closes, its socket (held by the stream's connection, its
// reader and the registry) is garbage too.

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

/** Collects until every ref is cleared or `rounds` collections have run; the refs still alive. */
async function collect<T extends object>(refs: readonly WeakRef<T>[], rounds = 10): Promise<T[]> {
  for (let round = 0; round < rounds; round++) {
    // A WeakRef read in this turn stays alive until it ends: collect on a fresh turn.
    await nextTurn();
    gc();
    await nextTurn();
    if (refs.every((ref) => ref.deref() === undefined)) return [];
  }
  return refs.map((ref) => ref.deref()).filter((value): value is T => value !== undefined);
}

describe('the memory an event stream keeps', () => {
  let app: INestApplication;
  let url: string;
  let server: Server;
  const requests: WeakRef<IncomingMessage | ServerResponse>[] = [];
  const sockets: WeakRef<Socket>[] = [];
  let closedSockets = 0;
  const streams: TestStream[] = [];

  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({ imports: [SseModule.forRoot({ http: {} }), OrdersModule] }).compile();
    app = moduleRef.createNestApplication({ logger: ['error'] });
    server = app.getHttpServer() as Server;
    server.on('connection', (socket: Socket) => {
      sockets.push(new WeakRef(socket));
      socket.once('close', () => closedSockets++);
    });
    server.prependListener('request', (request: IncomingMessage, response: ServerResponse) => {
      if (request.headers.accept === 'text/event-stream') requests.push(new WeakRef(request), new WeakRef(response));
    });
    await app.listen(0, '127.0.0.1');
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterEach(() => streams.splice(0).forEach((stream) => stream.close()));
  afterAll(() => app.close());

  // First: the streams of a later test could reuse the kept-alive connection of a publish.
  it('lets the socket of a closed stream go', async () => {
    sockets.length = 0;
    closedSockets = 0;
    for (let i = 0; i < 3; i++) streams.push(await openStream(`${url}/channels/orders/events`));
    await Promise.all(streams.map((stream) => stream.waitUntil(() => stream.parser.lastEventId !== '', 5000, 'the start position')));
    expect(sockets).toHaveLength(3);
    expect(await collect(sockets, 2)).toHaveLength(3); // open: the stream holds its socket

    streams.splice(0).forEach((stream) => stream.close());
    const deadline = Date.now() + 5000;
    while (closedSockets < 3 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(closedSockets).toBe(3);
    expect(await collect(sockets)).toEqual([]);
  });

  it.each([
    ['the HTTP API', '/channels/orders/events'],
    ["an application's @Sse() route", '/orders/stream'],
  ])('keeps no request or response of an open stream (%s), and still delivers', async (_, path) => {
    requests.length = 0;
    for (let i = 0; i < 3; i++) streams.push(await openStream(`${url}${path}`));
    await Promise.all(streams.map((stream) => stream.waitUntil(() => stream.parser.lastEventId !== '', 5000, 'the start position')));
    expect(requests).toHaveLength(6);

    const kept = await collect(requests);
    expect(kept.map((value) => value.constructor.name)).toEqual([]);

    const { body } = await post(`${url}/orders`, { id: 'o-1', total: 1 });
    for (const stream of streams) expect((await stream.waitForEvents(1))[0]!.lastEventId).toBe(body.id);
  });
});
