import net from 'node:net';
import { startGateway, type TestGateway } from './support/gateway-app.js';
import { eventually, sleep } from './support/ports.js';
import { openStream, post, request, type TestStream } from './support/sse-client.js';
import { signToken, TEST_SECRET } from './support/tokens.js';

// Abuse limits on one instance (the in-memory counters): publish rate, streams per
// address, client addresses behind proxies, slow clients, CORS.

const CLAIMS = { sse: { publish: ['**'], subscribe: ['**'] } };

describe('publish rate limit', () => {
  let gateway: TestGateway;
  beforeAll(async () => {
    gateway = await startGateway({ SSE_JWT_SECRET: TEST_SECRET, SSE_PUBLISH_RATE_LIMIT: '3', SSE_PUBLISH_RATE_WINDOW_MS: '60000' });
  });
  afterAll(() => gateway.close());

  const publish = (token: string, channel = 'rate') =>
    post(`${gateway.url}/channels/${channel}/events`, { data: 1 }, { authorization: `Bearer ${token}` });

  it('answers 429 with Retry-After past the limit, per token subject', async () => {
    const alice = await signToken(CLAIMS, { sub: 'rate-alice' });
    const bob = await signToken(CLAIMS, { sub: 'rate-bob' });
    const statuses = [];
    for (let i = 0; i < 5; i++) statuses.push((await publish(alice, `rate-${i}`)).status);
    expect(statuses).toEqual([201, 201, 201, 429, 429]);
    const refused = await publish(alice);
    expect(refused.body).toEqual({ statusCode: 429, error: 'Too Many Requests', message: 'more than 3 publishes in 60 s: slow down (see Retry-After)' });
    expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(55);
    expect(Number(refused.headers['retry-after'])).toBeLessThanOrEqual(60);
    // Another subject has its own budget; a new token of the same subject does not reset it.
    expect((await publish(bob)).status).toBe(201);
    expect((await publish(await signToken(CLAIMS, { sub: 'rate-alice', expIn: 7200 }))).status).toBe(429);
  });

  it('spends no budget on refused publishes (403)', async () => {
    const carol = await signToken({ sse: { publish: ['only.this'] } }, { sub: 'rate-carol' });
    for (let i = 0; i < 5; i++) expect((await publish(carol, 'not.allowed')).status).toBe(403);
    expect((await publish(carol, 'only.this')).status).toBe(201);
  });
});

describe('client addresses and X-Forwarded-For', () => {
  const gateways: TestGateway[] = [];
  afterAll(() => Promise.all(gateways.map((g) => g.close())));
  const start = async (env: Record<string, string>) => {
    const gateway = await startGateway({ SSE_PUBLISH_RATE_LIMIT: '2', SSE_PUBLISH_RATE_WINDOW_MS: '60000', ...env });
    gateways.push(gateway);
    return gateway;
  };
  const publishFrom = (gateway: TestGateway, forwardedFor: string) =>
    post(`${gateway.url}/channels/xff/events`, { data: 1 }, { 'x-forwarded-for': forwardedFor }).then((a) => a.status);

  it('limits by address without a token, and believes X-Forwarded-For only from a trusted proxy', async () => {
    const trusting = await start({ SSE_TRUSTED_PROXIES: '127.0.0.1' });
    expect([await publishFrom(trusting, '198.51.100.1'), await publishFrom(trusting, '198.51.100.1'), await publishFrom(trusting, '198.51.100.1')]).toEqual([201, 201, 429]);
    expect(await publishFrom(trusting, '198.51.100.2')).toBe(201);
    // A client-written hop left of the proxy's own does not make a new client.
    expect(await publishFrom(trusting, '6.6.6.6, 198.51.100.1')).toBe(429);

    const untrusting = await start({});
    const statuses = [];
    for (const hop of ['203.0.113.1', '203.0.113.2', '203.0.113.3']) statuses.push(await publishFrom(untrusting, hop));
    expect(statuses).toEqual([201, 201, 429]);
  });
});

describe('streams per client address', () => {
  let gateway: TestGateway;
  const streams: TestStream[] = [];
  beforeAll(async () => {
    gateway = await startGateway({ SSE_MAX_CONNECTIONS_PER_IP: '2', SSE_TRUSTED_PROXIES: '127.0.0.1', SSE_HEARTBEAT_MS: '60000' });
  });
  afterEach(() => streams.splice(0).forEach((s) => s.close()));
  afterAll(() => gateway.close());
  const open = async (path: string, headers?: Record<string, string>) => {
    const stream = await openStream(`${gateway.url}${path}`, headers);
    streams.push(stream);
    return stream;
  };

  it('refuses a third stream from one address with 429, and takes one again once a stream closes', async () => {
    const a = await open('/channels/conn/events');
    const b = await open('/events?channel=conn&channel=conn2');
    expect([a.status, b.status]).toEqual([200, 200]);
    const third = await open('/channels/conn/events');
    expect(third.status).toBe(429);
    expect(third.headers['retry-after']).toBe('5');
    await third.ended;
    expect(JSON.parse(third.text())).toEqual({
      statusCode: 429,
      error: 'Too Many Requests',
      message: 'this address already holds 2 streams, the most allowed; close one first',
    });
    // History as JSON is not a stream and does not count.
    expect((await request('GET', `${gateway.url}/channels/conn/events`, { headers: { accept: 'application/json' } })).status).toBe(200);
    // Another client behind the trusted proxy has its own slots.
    expect((await open('/channels/conn/events', { 'x-forwarded-for': '198.51.100.9' })).status).toBe(200);
    a.close();
    await eventually(async () => {
      const again = await open('/channels/conn/events');
      return again.status === 200;
    }, 5000, 'a slot given back');
  });

  it('gives the slot back when a stream is refused for another reason', async () => {
    for (let i = 0; i < 5; i++) {
      const bad = await open('/channels/bad%20name/events');
      expect(bad.status).toBe(400);
      await bad.ended;
    }
    expect((await open('/channels/conn/events')).status).toBe(200);
    expect((await open('/channels/conn/events')).status).toBe(200);
  });
});

describe('slow clients', () => {
  let gateway: TestGateway;
  beforeAll(async () => {
    gateway = await startGateway({ SSE_HEADERS_TIMEOUT_MS: '500', SSE_IDLE_TIMEOUT_MS: '400', SSE_HEARTBEAT_MS: '60000' });
  });
  afterAll(() => gateway.close());

  function rawSocket(): Promise<{ socket: net.Socket; closed: Promise<number>; received: () => string }> {
    const { port } = new URL(gateway.url);
    return new Promise((resolve, reject) => {
      const started = Date.now();
      let data = '';
      const socket = net.connect(Number(port), '127.0.0.1', () =>
        resolve({ socket, closed, received: () => data }),
      );
      const closed = new Promise<number>((r) => socket.once('close', () => r(Date.now() - started)));
      socket.on('data', (chunk) => (data += chunk.toString()));
      socket.on('error', () => {});
      socket.once('error', reject);
    });
  }

  it('cuts a client that sends its headers a byte at a time (slow-loris)', async () => {
    const { socket, closed } = await rawSocket();
    socket.write('GET /health HTTP/1.1\r\nHost: x\r\n');
    const drip = setInterval(() => socket.writable && socket.write('X-Slow: 1\r\n'), 100);
    const after = await closed;
    clearInterval(drip);
    expect(after).toBeGreaterThanOrEqual(450);
    expect(after).toBeLessThan(2000);
  });

  it('cuts a connection that sends nothing', async () => {
    const { closed } = await rawSocket();
    expect(await closed).toBeLessThan(2000);
  });

  it('keeps an idle stream open far past the header and idle timeouts', async () => {
    const stream = await openStream(`${gateway.url}/channels/slow-ok/events`);
    expect(stream.status).toBe(200);
    await sleep(1500);
    const published = await post(`${gateway.url}/channels/slow-ok/events`, { data: 'still here' });
    const [event] = await stream.waitForEvents(1);
    expect(event).toEqual({ type: 'message', data: '"still here"', lastEventId: published.body.id });
    stream.close();
  });

  it('still serves kept-alive requests one after another', async () => {
    const { socket, received, closed } = await rawSocket();
    socket.write('GET /health HTTP/1.1\r\nHost: x\r\n\r\n');
    await eventually(() => /HTTP\/1\.1 200/.test(received()), 2000, 'first answer');
    await sleep(200);
    socket.write('GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    await closed;
    expect(received().match(/HTTP\/1\.1 200/g)).toHaveLength(2);
  });
});

describe('CORS', () => {
  let gateway: TestGateway;
  beforeAll(async () => {
    gateway = await startGateway({ SSE_CORS_ORIGINS: 'https://app.example.com,http://localhost:4200', SSE_HEARTBEAT_MS: '60000' });
  });
  afterAll(() => gateway.close());

  const preflight = (origin: string, method = 'POST', headers = 'authorization, content-type') =>
    request('OPTIONS', `${gateway.url}/channels/orders/events`, {
      headers: { origin, 'access-control-request-method': method, 'access-control-request-headers': headers },
    });

  it('answers a preflight from a listed origin with 204 and exact headers', async () => {
    const answer = await preflight('https://app.example.com');
    expect(answer.status).toBe(204);
    expect(answer.text).toBe('');
    expect(answer.headers).toMatchObject({
      'access-control-allow-origin': 'https://app.example.com',
      'access-control-allow-credentials': 'true',
      'access-control-allow-methods': 'GET, POST',
      'access-control-allow-headers': 'Authorization, Content-Type, Last-Event-ID, Idempotency-Key, Cache-Control',
      'access-control-max-age': '600',
      vary: 'Origin, Access-Control-Request-Headers',
    });
  });

  it('refuses a preflight from any other origin with 403 and no CORS headers', async () => {
    for (const origin of ['https://evil.example.com', 'https://app.example.com.evil.com', 'null', 'http://app.example.com']) {
      const answer = await preflight(origin);
      expect({ origin, status: answer.status }).toEqual({ origin, status: 403 });
      expect(answer.body).toEqual({ statusCode: 403, error: 'Forbidden', message: 'this origin is not allowed (SSE_CORS_ORIGINS)' });
      expect(answer.headers['access-control-allow-origin']).toBeUndefined();
    }
  });

  it('marks answers to a listed origin, streams included, and leaves others unmarked', async () => {
    const published = await post(`${gateway.url}/channels/orders/events`, { data: 1 }, { origin: 'http://localhost:4200' });
    expect(published.status).toBe(201);
    expect(published.headers).toMatchObject({
      'access-control-allow-origin': 'http://localhost:4200',
      'access-control-allow-credentials': 'true',
      'access-control-expose-headers': 'X-Instance-Id, Retry-After, WWW-Authenticate',
      vary: 'Origin',
    });
    const stream = await openStream(`${gateway.url}/channels/orders/events`, { origin: 'https://app.example.com' });
    expect(stream.headers['access-control-allow-origin']).toBe('https://app.example.com');
    expect(stream.headers['access-control-allow-credentials']).toBe('true');
    stream.close();
    const foreign = await post(`${gateway.url}/channels/orders/events`, { data: 1 }, { origin: 'https://evil.example.com' });
    expect(foreign.headers['access-control-allow-origin']).toBeUndefined();
    const plain = await post(`${gateway.url}/channels/orders/events`, { data: 1 });
    expect(plain.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('allows any origin without credentials with "*"', async () => {
    const open = await startGateway({ SSE_CORS_ORIGINS: '*' });
    try {
      const answer = await request('OPTIONS', `${open.url}/sync`, { headers: { origin: 'https://x.example', 'access-control-request-method': 'POST' } });
      expect(answer.status).toBe(204);
      expect(answer.headers['access-control-allow-origin']).toBe('*');
      expect(answer.headers['access-control-allow-credentials']).toBeUndefined();
    } finally {
      await open.close();
    }
  });
});
