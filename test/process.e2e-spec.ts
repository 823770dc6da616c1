import { startGatewayProcess, runGatewayExpectingExit } from './support/gateway-process.js';
import { freePort } from './support/ports.js';
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
});
