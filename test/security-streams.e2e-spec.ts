import { generateKeyPairSync } from 'node:crypto';
import { startGateway, type TestGateway } from './support/gateway-app.js';
import { sleep } from './support/ports.js';
import { openStream, post, request, type TestStream } from './support/sse-client.js';
import { signToken, TEST_SECRET } from './support/tokens.js';

// Streams under authorization: the sync handshake, tokens from cookies, and streams that
// end when their token expires, then resume with a fresh one.

const CLAIMS = { sse: { publish: ['live.*'], subscribe: ['live.*'] } };
const EXPIRED_FRAME = /event: sse\.token-expired\ndata: \{"reason":"token-expired","expiredAt":"[0-9T:.Z-]+"\}\n\n$/;

describe('streams and token lifetimes', () => {
  let gateway: TestGateway;
  let publisher: string;
  const streams: TestStream[] = [];
  const open = async (path: string, headers?: Record<string, string>) => {
    const stream = await openStream(`${gateway.url}${path}`, headers);
    streams.push(stream);
    return stream;
  };
  const publish = async (channel: string, data: unknown) => {
    const answer = await post(`${gateway.url}/channels/${channel}/events`, { data }, { authorization: `Bearer ${publisher}` });
    expect(answer.status).toBe(201);
    return answer.body.id as string;
  };
  /** A token that expires 1-2 s from now (exp has whole seconds). */
  const shortToken = () => signToken(CLAIMS, { sub: 'short', expIn: 2 });

  beforeAll(async () => {
    gateway = await startGateway({
      SSE_JWT_SECRET: TEST_SECRET,
      SSE_JWT_CLOCK_TOLERANCE_S: '0',
      SSE_STREAM_TOKEN_TTL_S: '1',
      SSE_HEARTBEAT_MS: '60000',
    });
    publisher = await signToken(CLAIMS, { sub: 'publisher' });
  });
  afterEach(() => streams.splice(0).forEach((s) => s.close()));
  afterAll(() => gateway.close());

  it('ends a stream when its token expires, with sse.token-expired and no id, and the client resumes with a fresh token', async () => {
    const stream = await open('/channels/live.exp/events', { cookie: `sse_token=${await shortToken()}` });
    expect(stream.status).toBe(200);
    await stream.waitUntil(() => stream.parser.lastEventId !== '');
    const first = await publish('live.exp', 'before');
    await stream.waitForEvents(1);
    await stream.ended;
    expect(stream.text()).toMatch(EXPIRED_FRAME);
    const [, expired] = stream.parser.events;
    expect(expired!.type).toBe('sse.token-expired');
    // No id on the notice: the client's position is still the last event it got.
    expect(stream.parser.lastEventId).toBe(first);

    const missed = await publish('live.exp', 'while away');
    const fresh = await open('/channels/live.exp/events', { cookie: `sse_token=${await signToken(CLAIMS)}`, 'last-event-id': first });
    const [event] = await fresh.waitForEvents(1);
    expect(event).toEqual({ type: 'message', data: '"while away"', lastEventId: missed });
  });

  it('ends a several-channel stream at expiry too', async () => {
    const stream = await open('/events?channel=live.m1&channel=live.m2', { authorization: `Bearer ${await shortToken()}` });
    expect(stream.status).toBe(200);
    await stream.ended;
    expect(stream.text()).toMatch(EXPIRED_FRAME);
  });

  it('hands out stream urls with a short-lived token bound to the channel, the position and the parent expiry', async () => {
    const parent = await signToken(CLAIMS, { sub: 'syncer', expIn: 4 });
    const before = await publish('live.sync', 'snapshot');
    const answer = await post(`${gateway.url}/sync`, { channel: 'live.sync' }, { authorization: `Bearer ${parent}` });
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({
      channel: 'live.sync',
      lastEventId: before,
      url: expect.stringMatching(new RegExp(`^/channels/live\\.sync/events\\?lastEventId=${encodeURIComponent(before).replace(/\./g, '\\.')}&token=[\\w-]+\\.[\\w-]+\\.[\\w-]+$`)),
    });
    // Opened like an EventSource would: no headers, no cookie.
    const stream = await open(answer.body.url);
    expect(stream.status).toBe(200);
    const after = await publish('live.sync', 'after');
    const [event] = await stream.waitForEvents(1);
    expect(event!.lastEventId).toBe(after);
    // The url's token lives 1 s: it opens nothing later, yet the stream it opened lives on
    // until the parent token expires.
    const urlToken = new URL(answer.body.url, gateway.url).searchParams.get('token')!;
    const { exp } = JSON.parse(Buffer.from(urlToken.split('.')[1]!, 'base64url').toString());
    await sleep(exp * 1000 - Date.now() + 200);
    const late = await open(answer.body.url);
    expect(late.status).toBe(401);
    await late.ended;
    expect(JSON.parse(late.text()).message).toBe('the token is not accepted: it has expired');
    expect(stream.parser.events).toHaveLength(1);
    await stream.ended;
    expect(stream.text()).toMatch(EXPIRED_FRAME);

    // With a fresh token the client syncs from its own last id and misses nothing.
    const missed = await publish('live.sync', 'missed');
    const resync = await post(`${gateway.url}/sync`, { channel: 'live.sync', lastEventId: after }, { authorization: `Bearer ${await signToken(CLAIMS)}` });
    expect(resync.body.lastEventId).toBe(after);
    const resumed = await open(resync.body.url);
    const [again] = await resumed.waitForEvents(1);
    expect(again).toEqual({ type: 'message', data: '"missed"', lastEventId: missed });
  });

  it('binds a several-channel sync token to its channels', async () => {
    const token = await signToken(CLAIMS);
    const answer = await post(`${gateway.url}/sync`, { channels: ['live.a', 'live.b'] }, { authorization: `Bearer ${token}` });
    expect(answer.status).toBe(200);
    const url = new URL(answer.body.url, gateway.url);
    expect((await open(`${url.pathname}${url.search}`)).status).toBe(200);
    url.searchParams.append('channel', 'live.c');
    const wider = await open(`${url.pathname}${url.search}`);
    expect(wider.status).toBe(403);
  });

  it('refuses a bad resume position with 400', async () => {
    for (const lastEventId of [5, '', 'a b', 'x'.repeat(1025)]) {
      const answer = await request('POST', `${gateway.url}/sync`, {
        json: { channel: 'live.sync', lastEventId },
        headers: { authorization: `Bearer ${await signToken(CLAIMS)}` },
      });
      expect({ lastEventId, status: answer.status }).toEqual({ lastEventId, status: 400 });
    }
  });
});

describe('stream urls across instances', () => {
  const gateways: TestGateway[] = [];
  afterAll(() => Promise.all(gateways.map((g) => g.close())));
  const pair = async (env: Record<string, string>) => {
    const [a, b] = [await startGateway(env), await startGateway(env)];
    gateways.push(a, b);
    return [a, b] as const;
  };
  const syncOnAOpenOnB = async (a: TestGateway, b: TestGateway, token: string) => {
    const answer = await post(`${a.url}/sync`, { channel: 'live.x' }, { authorization: `Bearer ${token}` });
    expect(answer.status).toBe(200);
    const stream = await openStream(`${b.url}${answer.body.url}`);
    stream.close();
    return stream.status;
  };

  it('open on every instance when the key is derived from the shared SSE_JWT_SECRET', async () => {
    const [a, b] = await pair({ SSE_JWT_SECRET: TEST_SECRET });
    expect(await syncOnAOpenOnB(a, b, await signToken(CLAIMS))).toBe(200);
  });

  it('open on every instance with a shared SSE_STREAM_TOKEN_SECRET, and only on their own without one', async () => {
    const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const key = publicKey.export({ type: 'spki', format: 'pem' }).toString();
    const token = await signToken(CLAIMS, { alg: 'ES256', key: privateKey });
    const [a, b] = await pair({ SSE_JWT_PUBLIC_KEY: key, SSE_STREAM_TOKEN_SECRET: 'a-cluster-wide-stream-token-secret-0123456789' });
    expect(await syncOnAOpenOnB(a, b, token)).toBe(200);
    const [c, d] = await pair({ SSE_JWT_PUBLIC_KEY: key });
    expect(await syncOnAOpenOnB(c, d, token)).toBe(401);
    expect(await syncOnAOpenOnB(c, c, token)).toBe(200);
  });
});
