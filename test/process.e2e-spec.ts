import net from 'node:net';
import { startGatewayProcess, runGatewayExpectingExit } from './support/gateway-process.js';
import { freePort, sleep } from './support/ports.js';
import { openStream, post, request } from './support/sse-client.js';

// The built gateway as a process: start-up line, configuration errors, SIGTERM.
describe('dist/main.js', () => {
  it('starts with nothing configured, says where it listens, serves, and exits 0 on SIGTERM', async () => {
    const gateway = await startGatewayProcess({});
    try {
      expect(gateway.output()).toMatch(new RegExp(`listening on 127\\.0\\.0\\.1:${gateway.port}`));
      expect(gateway.output()).toMatch(/in-memory broker/);
      const health = await request('GET', `${gateway.url}/health`);
      expect(health.status).toBe(200);
      expect(health.body).toMatchObject({ status: 'ok', instance: gateway.instanceId, broker: { kind: 'memory', up: true } });

      const stream = await openStream(`${gateway.url}/channels/p/events`);
      await stream.waitUntil(() => stream.parser.lastEventId !== '');
      expect((await post(`${gateway.url}/channels/p/events`, { data: 1 })).status).toBe(201);
      await stream.waitForEvents(1);

      const started = Date.now();
      const code = await gateway.stop();
      expect(code).toBe(0);
      expect(Date.now() - started).toBeLessThan(8000);
      await stream.ended;
      // The stream was closed with a last retry so the client comes back elsewhere.
      expect(stream.text()).toMatch(/retry: \d+\n\n$/);
    } finally {
      await gateway.kill();
    }
  });

  it('refuses a bad setting at start with a message naming it', async () => {
    const { code, output } = await runGatewayExpectingExit({ PORT: String(await freePort()), SSE_HISTORY_LIMIT: 'lots', REDIS_URL: 'http://nope' });
    expect(code).toBe(1);
    expect(output).toMatch(/SSE_HISTORY_LIMIT="lots" must be a whole number/);
    expect(output).toMatch(/REDIS_URL has scheme http/);
  });

  it('stays up when its file descriptors run out, and serves again once streams close', async () => {
    // A compaction after every new stream (at most one a second): since streams open until the
    // limit, one falls due after it, and reads RSS (a file descriptor) while none is left.
    // (Below 1024, node cannot load its modules: the ESM loader opens many files at once.)
    const gateway = await startGatewayProcess({ SSE_HEAP_COMPACT_AFTER_STREAMS: '1' }, { fileLimit: 1024 });
    const sockets: net.Socket[] = [];
    try {
      let answered = 0;
      for (let n = 0; n < 1200; n++) {
        const socket = net.connect(gateway.port, '127.0.0.1', () => socket.write(`GET /channels/fds/events HTTP/1.1\r\nHost: x\r\nAccept: text/event-stream\r\n\r\n`));
        socket.once('data', () => answered++);
        socket.on('error', () => undefined);
        sockets.push(socket);
      }
      // Long enough for the compaction after the limit (the compactor samples every 250 ms, compacts at most once a second).
      await sleep(4000);
      expect(answered).toBeGreaterThan(900);
      expect(answered).toBeLessThan(1024);
      expect(gateway.child.exitCode).toBeNull();
      for (const socket of sockets) socket.destroy();
      await sleep(500);

      expect((await request('GET', `${gateway.url}/health/live`)).status).toBe(200);
      const stream = await openStream(`${gateway.url}/channels/fds/events`);
      await stream.waitUntil(() => stream.parser.lastEventId !== '');
      expect((await post(`${gateway.url}/channels/fds/events`, { data: 1 })).status).toBe(201);
      await stream.waitForEvents(1);
      stream.close();
      expect(gateway.output()).not.toMatch(/FATAL|uncaught/);
      expect(gateway.output()).toMatch(/heap compacted after a burst of new streams \(\d+ open\): \d+ ms, RSS unknown \(no file descriptor left to read it\)/);
      expect(await gateway.stop()).toBe(0);
    } finally {
      for (const socket of sockets) socket.destroy();
      await gateway.kill();
    }
  }, 30_000);
});
