import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { ChannelEvent } from '../channel/channel-event.js';
import { StreamPosition } from '../position/stream-position.js';
import { SseConnection, type CloseReason } from './sse-connection.js';

// A real socket pair on loopback: the server side is the stream's socket, the client side
// reads (or does not).

let server: Server;
let port: number;
const pending: ((socket: Socket) => void)[] = [];

beforeAll(async () => {
  server = createServer((socket) => pending.shift()?.(socket));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as { port: number }).port;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

async function pair(maxBufferBytes: number, latest = false) {
  const accepted = new Promise<Socket>((resolve) => pending.push(resolve));
  const client = createConnection({ port, host: '127.0.0.1' });
  const received: Buffer[] = [];
  client.on('data', (chunk: Buffer) => received.push(chunk));
  const socket = await accepted;
  const connection = new SseConnection(socket, maxBufferBytes, latest);
  const closed: CloseReason[] = [];
  connection.onClose((reason) => closed.push(reason));
  const text = () => Buffer.concat(received).toString('utf8');
  return { client, socket, connection, closed, text };
}

let seq = 0;
const event = (channel: string, data: string) =>
  new ChannelEvent(channel, { position: StreamPosition.of(1000, seq++, 'e'), event: undefined, data, time: 0 });
const until = async (condition: () => boolean, what: string) => {
  for (let i = 0; i < 400 && !condition(); i++) await new Promise((r) => setTimeout(r, 5));
  if (!condition()) throw new Error(`${what} did not happen`);
};

describe('SseConnection', () => {
  it('writes the shared frame bytes as they come, every id intact', async () => {
    const { connection, text, client } = await pair(64 * 1024);
    const events = [event('a', '1'), event('a', '2'), event('a', '3')];
    for (const e of events) connection.event(e);
    await until(() => text().split('\n\n').length > 3, 'three frames');
    expect(text()).toBe(events.map((e) => `id: ${e.id}\ndata: ${e.data}\n\n`).join(''));
    client.destroy();
  });

  it('holds frames as references while the socket is full, sends them in order once it drains, and tells the replay when', async () => {
    const { connection, socket, client, text, closed } = await pair(64 * 1024 * 1024);
    client.pause();
    const big = 'x'.repeat(60_000);
    const sent: ChannelEvent[] = [];
    // Fill the kernel's buffers and Node's until the connection starts holding frames back.
    while (!connection.ready()) {
      const e = event('a', big);
      sent.push(e);
      connection.event(e);
    }
    const drained = connection.ready()!;
    for (let i = 0; i < 20; i++) {
      const e = event('a', String(i));
      sent.push(e);
      connection.event(e);
    }
    // Held in the list, not in the socket: Node's own buffer did not grow with them.
    const nodeBuffered = socket.writableLength;
    expect(connection.unsentBytes).toBeGreaterThan(nodeBuffered);
    client.resume();
    await drained;
    await until(() => text().length >= sent.reduce((n, e) => n + e.frame().length, 0), 'every byte');
    expect(text()).toBe(sent.map((e) => e.frame().toString()).join(''));
    expect(closed).toEqual([]);
    client.destroy();
  });

  it('holds small frames back from the first write the kernel did not take whole: Node queues one write, not one per frame', async () => {
    const { connection, socket, client, text, closed } = await pair(64 * 1024 * 1024);
    client.pause();
    const sent: ChannelEvent[] = [];
    const small = 'x'.repeat(200);
    // Small frames until the kernel's buffers are full and the connection holds frames back.
    for (let i = 0; i < 200_000 && !connection.ready(); i++) {
      const e = event('a', small);
      sent.push(e);
      connection.event(e);
    }
    expect(connection.ready()).toBeDefined();
    // Node's queue holds the write in flight and at most the empty write behind it (each
    // queued write is an object several times a small frame's size); the rest wait as references.
    // `writableBuffer`: the queued writes of a Node Writable (not in @types/node).
    expect((socket as unknown as { writableBuffer: unknown[] }).writableBuffer.length).toBeLessThanOrEqual(1);
    expect(socket.writableLength).toBeLessThanOrEqual(sent.at(-1)!.frame().length);
    const held = socket.writableLength;
    for (let i = 0; i < 500; i++) {
      const e = event('a', `small ${i}`);
      sent.push(e);
      connection.event(e);
    }
    expect(socket.writableLength).toBe(held);
    client.resume();
    await until(() => text().length >= sent.reduce((n, e) => n + e.frame().length, 0), 'every byte');
    expect(text()).toBe(sent.map((e) => e.frame().toString()).join(''));
    expect(closed).toEqual([]);
    client.destroy();
  });

  it('cuts a client that stops reading once its unsent bytes pass the limit', async () => {
    const { connection, client, closed } = await pair(256 * 1024);
    client.pause();
    const big = 'y'.repeat(32_000);
    for (let i = 0; i < 2000 && closed.length === 0; i++) connection.event(event('a', big));
    expect(closed).toEqual(['slow-consumer']);
    expect(connection.isClosed).toBe(true);
    client.destroy();
  });

  it('on a state channel keeps only the newest frame per channel while the client is behind', async () => {
    const { connection, client, text } = await pair(64 * 1024 * 1024, true);
    client.pause();
    while (!connection.ready()) connection.event(event('fill', 'z'.repeat(60_000)));
    const drained = connection.ready()!;
    const a = [event('a', '"a1"'), event('a', '"a2"'), event('a', '"a3"')];
    const b = [event('b', '"b1"'), event('b', '"b2"')];
    for (const e of [a[0]!, b[0]!, a[1]!, b[1]!, a[2]!]) connection.event(e);
    expect(connection.skippedFrames).toBe(3);
    client.resume();
    await drained;
    await until(() => text().includes('"a3"'), 'the newest frame');
    const tail = text().slice(text().lastIndexOf('z\n\n') + 3);
    expect(tail).toBe(`id: ${b[1]!.id}\ndata: "b2"\n\nid: ${a[2]!.id}\ndata: "a3"\n\n`);
    client.destroy();
  });

  it('ends on purpose with a retry first, and says why', async () => {
    const { connection, client, text, closed } = await pair(64 * 1024);
    connection.event(event('a', '1'));
    connection.end('drained', 'shutting down', 1234);
    await new Promise<void>((resolve) => client.on('end', resolve));
    expect(text().endsWith('retry: 1234\n\n')).toBe(true);
    expect(closed).toEqual(['drained']);
  });

  it('counts a client that goes away as client, once', async () => {
    const { connection, client, closed } = await pair(64 * 1024);
    client.destroy();
    await until(() => closed.length > 0, 'close');
    connection.end('drained');
    expect(closed).toEqual(['client']);
  });
});
