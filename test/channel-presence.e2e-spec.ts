import { startGatewayProcess, type GatewayProcess } from './support/gateway-process.js';
import { eventually } from './support/ports.js';
import { startRedis, type RedisServer } from './support/redis-server.js';
import { openStream, request, type TestStream } from './support/sse-client.js';
import { signToken, TEST_SECRET } from './support/tokens.js';

interface Presence {
  channel: string;
  total: number;
  instances: { id: string; subscribers: number }[];
}

const INTERVAL_MS = 200;
const presence = (gateway: GatewayProcess, channel: string, headers: Record<string, string> = {}) =>
  request<Presence>('GET', `${gateway.url}/channels/${channel}/presence`, { headers });

/** Polls until the presence of `channel` answers `expected` (the reports are one interval old at most). */
const presenceBecomes = (gateway: GatewayProcess, channel: string, expected: Presence) =>
  eventually(async () => JSON.stringify((await presence(gateway, channel)).body) === JSON.stringify(expected), 5000, `${channel} presence ${JSON.stringify(expected)}`).catch(async (error: Error) => {
    throw new Error(`${error.message}; last answer ${(await presence(gateway, channel)).text}`);
  });

// GET /channels/:channel/presence with real gateway processes: across two instances on one
// redis-server, on one instance with the in-memory broker, and with authorization on.
describe('channel presence across the cluster', () => {
  let redis: RedisServer;
  const gateways: GatewayProcess[] = [];
  const streams: TestStream[] = [];

  beforeAll(async () => {
    redis = await startRedis();
  });
  afterEach(async () => {
    streams.splice(0).forEach((s) => s.close());
    await Promise.all(gateways.splice(0).map((g) => g.kill()));
  });
  afterAll(() => redis?.stop());

  const open = async (gateway: GatewayProcess, path: string) => {
    const stream = await openStream(`${gateway.url}${path}`);
    expect(stream.status).toBe(200);
    streams.push(stream);
    return stream;
  };

  it('adds up the subscribers of each instance, follows streams closing and instances dying', async () => {
    // Rebalancing off: it would move these uneven streams (and a test stream does not come back).
    const env = { REDIS_URL: redis.url, SSE_KEY_PREFIX: 'cp1:', SSE_PRESENCE_INTERVAL_MS: String(INTERVAL_MS), SSE_REBALANCE_RATIO: '0' };
    const [a, b] = await Promise.all([startGatewayProcess({ ...env, INSTANCE_ID: 'gw-a' }), startGatewayProcess({ ...env, INSTANCE_ID: 'gw-b' })]);
    gateways.push(a!, b!);
    const onA = await Promise.all([1, 2, 3].map(() => open(a!, '/channels/orders/events')));
    await open(b!, '/channels/orders/events');
    await open(b!, '/events?channel=orders&channel=news'); // one stream, a subscriber of each channel
    await open(b!, '/channels/news/events');

    const orders = { channel: 'orders', total: 5, instances: [{ id: 'gw-a', subscribers: 3 }, { id: 'gw-b', subscribers: 2 }] };
    await presenceBecomes(a!, 'orders', orders);
    await presenceBecomes(b!, 'orders', orders);
    await presenceBecomes(a!, 'news', { channel: 'news', total: 2, instances: [{ id: 'gw-b', subscribers: 2 }] });
    await presenceBecomes(a!, 'nobody', { channel: 'nobody', total: 0, instances: [] });

    const answer = await presence(a!, 'orders');
    expect(answer.status).toBe(200);
    expect(answer.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(answer.headers['cache-control']).toBe('no-cache');
    expect(answer.headers['x-instance-id']).toBe('gw-a');

    onA[0]!.close();
    onA[1]!.close();
    await presenceBecomes(b!, 'orders', { channel: 'orders', total: 3, instances: [{ id: 'gw-a', subscribers: 1 }, { id: 'gw-b', subscribers: 2 }] });
    onA[2]!.close();
    await presenceBecomes(b!, 'orders', { channel: 'orders', total: 2, instances: [{ id: 'gw-b', subscribers: 2 }] });

    // A crashed instance's counts leave with its presence (3 intervals).
    await b!.kill();
    await presenceBecomes(a!, 'orders', { channel: 'orders', total: 0, instances: [] });
    await presenceBecomes(a!, 'news', { channel: 'news', total: 0, instances: [] });
  }, 60_000);

  it('works on one instance with the in-memory broker', async () => {
    const gateway = await startGatewayProcess({ INSTANCE_ID: 'solo', SSE_PRESENCE_INTERVAL_MS: String(INTERVAL_MS) });
    gateways.push(gateway);
    await open(gateway, '/channels/orders/events');
    await open(gateway, '/events?channel=orders&channel=news');
    await presenceBecomes(gateway, 'orders', { channel: 'orders', total: 2, instances: [{ id: 'solo', subscribers: 2 }] });
    await presenceBecomes(gateway, 'news', { channel: 'news', total: 1, instances: [{ id: 'solo', subscribers: 1 }] });
  }, 30_000);

  it('answers 400 for a bad channel name and 204 with Allow to OPTIONS', async () => {
    const gateway = await startGatewayProcess({ SSE_PRESENCE_INTERVAL_MS: String(INTERVAL_MS) });
    gateways.push(gateway);
    const bad = await presence(gateway, 'no%20spaces');
    expect(bad.status).toBe(400);
    expect(bad.body).toEqual({ statusCode: 400, error: 'Bad Request', message: 'channel name "no spaces" is invalid: use 1-128 characters of A-Z a-z 0-9 . _ : -' });
    const options = await request('OPTIONS', `${gateway.url}/channels/orders/presence`);
    expect(options.status).toBe(204);
    expect(options.headers.allow).toBe('GET, HEAD, OPTIONS');
  }, 30_000);

  it('is authorized like a subscription: 401 without a token, 403 for a channel the token does not allow', async () => {
    const gateway = await startGatewayProcess({ SSE_JWT_SECRET: TEST_SECRET, SSE_PUBLIC_CHANNELS: 'status.*', SSE_PRESENCE_INTERVAL_MS: String(INTERVAL_MS) });
    gateways.push(gateway);
    const reader = await signToken({ sse: { subscribe: ['orders.*'] } }, { sub: 'alice' });
    const publisher = await signToken({ sse: { publish: ['orders.*'] } }, { sub: 'bob' });

    const none = await presence(gateway, 'orders.eu');
    expect(none.status).toBe(401);
    expect(none.headers['www-authenticate']).toBe('Bearer realm="sse-gateway"');
    expect(none.body).toMatchObject({ statusCode: 401, error: 'Unauthorized' });

    const bad = await presence(gateway, 'orders.eu', { authorization: `Bearer ${reader}x` });
    expect(bad.status).toBe(401);
    expect(bad.headers['www-authenticate']).toMatch(/^Bearer realm="sse-gateway", error="invalid_token"/);

    const elsewhere = await presence(gateway, 'payments.eu', { authorization: `Bearer ${reader}` });
    expect(elsewhere.status).toBe(403);
    expect(elsewhere.body).toMatchObject({ statusCode: 403, error: 'Forbidden' });
    expect(elsewhere.headers['www-authenticate']).toBe('Bearer realm="sse-gateway", error="insufficient_scope"');

    // Publishing rights are not reading rights.
    expect((await presence(gateway, 'orders.eu', { authorization: `Bearer ${publisher}` })).status).toBe(403);

    const stream = await open(gateway, `/channels/orders.eu/events?token=${reader}`);
    expect(stream.status).toBe(200);
    const allowed = { channel: 'orders.eu', total: 1, instances: [{ id: gateway.instanceId, subscribers: 1 }] };
    await eventually(async () => JSON.stringify((await presence(gateway, 'orders.eu', { authorization: `Bearer ${reader}` })).body) === JSON.stringify(allowed), 5000, 'allowed');
    expect((await presence(gateway, 'status.eu')).body).toEqual({ channel: 'status.eu', total: 0, instances: [] });
  }, 30_000);
});
