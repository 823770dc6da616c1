import type { Subscription } from 'rxjs';
import { HttpStatusError, SseClient, type ChannelEvent, type ClientChannel, type ConnectionState, type GetToken } from '../src/client/index.js';
import { accessLog, requestLines } from './support/access-log.js';
import { startGatewayProcess, type GatewayProcess } from './support/gateway-process.js';
import { startNginx, type Nginx } from './support/nginx.js';
import { eventually, sleep } from './support/ports.js';
import { startRedis, type RedisServer } from './support/redis-server.js';
import { post } from './support/sse-client.js';
import { signToken } from './support/tokens.js';

/** What a subscriber saw: every event and every state, in order. */
function record(channel: ClientChannel) {
  const events: ChannelEvent<Record<string, unknown>>[] = [];
  const states: ConnectionState[] = [];
  const subs: Subscription[] = [
    channel.events$.subscribe((e) => events.push(e as ChannelEvent<Record<string, unknown>>)),
    channel.state$.subscribe((s) => states.push(s)),
  ];
  return { events, states, state: () => states[states.length - 1]!, stop: () => subs.forEach((s) => s.unsubscribe()) };
}

/** The states' `[status, error]`, each change once (a backoff's attempt count left out). */
const steps = (states: ConnectionState[]) =>
  states.map((s) => [s.status, s.error]).filter((step, i, all) => i === 0 || step.join() !== all[i - 1]!.join());

/** A getToken that counts its calls; `next` decides each token (default: a reader of `auth.**` for 1 h). */
function tokenSource(next: (call: number) => Promise<string> = () => reader(3600)) {
  const source = { calls: 0, getToken: (async () => next(++source.calls)) as GetToken };
  return source;
}
const reader = (expIn: number) => signToken({ sse: { subscribe: ['auth.**'], publish: ['auth.**'] } }, { sub: 'alice', expIn });
const wrongKey = () => signToken({ sse: { subscribe: ['**'] } }, { sub: 'alice', key: new TextEncoder().encode('another-secret-that-is-long-enough-0123456789') });

/** Requests a client made (health probes left out): `METHOD path status`, in the order they ended. */
const clientRequests = (...gateways: GatewayProcess[]) =>
  gateways.flatMap((g) => requestLines(g.output(), (e) => e.path !== '/health'));

/** The requests `g` logs from now on. */
const logFrom = (g: GatewayProcess) => {
  const start = accessLog(g.output()).length;
  return () => requestLines(g.output()).slice(start);
};

// The browser client's authorization, run in Node against real gateway processes with
// authorization on (HS256), their access logs counting every request it makes.
describe('SseClient with authorization', () => {
  let redis: RedisServer;
  let publisherToken: string;
  /** The gateway the tests that kill or reconfigure none share. */
  let g: GatewayProcess;
  const running: { stop(): Promise<unknown> }[] = [];
  const clients: SseClient[] = [];
  const AUTH = { SSE_JWT_SECRET: 'test-secret-for-the-security-suite-0123456789', SSE_JWT_CLOCK_TOLERANCE_S: '0', SSE_ACCESS_LOG: 'true', SSE_RETRY_MS: '300', SSE_DRAIN_MS: '200' };

  const gateway = async (env: Record<string, string> = {}) => {
    const started = await startGatewayProcess({ ...AUTH, REDIS_URL: redis.url, SSE_KEY_PREFIX: `client-auth-${Date.now()}:`, ...env });
    running.push(started);
    return started;
  };
  const newClient = (baseUrl: string, getToken?: GetToken) => {
    const client = new SseClient({ baseUrl, getToken, backoff: { initialMs: 100, maxMs: 1000 }, lingerMs: 0 });
    clients.push(client);
    return client;
  };
  const publish = async (to: GatewayProcess | Nginx, channel: string, n: number) => {
    const answer = await post(`${to.url}/channels/${channel}/events`, { event: 'note', data: { n } }, { authorization: `Bearer ${publisherToken}` });
    expect(answer.status).toBe(201);
    return answer.body.id as string;
  };

  beforeAll(async () => {
    redis = await startRedis();
    publisherToken = await signToken({ sse: { publish: ['**'] } }, { sub: 'publisher' });
    g = await startGatewayProcess({ ...AUTH, REDIS_URL: redis.url, SSE_KEY_PREFIX: `client-auth-${Date.now()}:` });
  }, 30_000);
  afterEach(async () => {
    clients.splice(0).forEach((c) => c.close());
    await Promise.all(running.splice(0).map((r) => r.stop()));
  }, 30_000);
  afterAll(async () => {
    await g?.stop();
    await redis?.stop();
  });

  it('sends getToken as a bearer token on sync and publish; the stream opens the url the sync answered, with its stream token', async () => {
    const log = logFrom(g);
    const tokens = tokenSource();
    const client = newClient(g.url, tokens.getToken);
    const seen = record(client.channel('auth.basic'));
    await eventually(() => seen.state().status === 'open', 10_000, 'open');
    const ids = [await client.publish('auth.basic', 'note', { n: 0 }), await client.publish('auth.basic', 'note', { n: 1 })];
    await eventually(() => seen.events.length === 2, 10_000, '2 events');
    expect(seen.events.map((e) => [e.id, e.data])).toEqual([
      [ids[0], { n: 0 }],
      [ids[1], { n: 1 }],
    ]);
    expect(tokens.calls).toBe(3); // one sync, two publishes
    seen.stop();
    await eventually(() => log().some((l) => l.startsWith('GET')), 10_000, 'the stream logged once closed');
    expect(log()).toEqual(['POST /sync 200', 'POST /channels/auth.basic/events 201', 'POST /channels/auth.basic/events 201', 'GET /channels/auth.basic/events 200']);
    expect(accessLog(g.output()).filter((e) => e.method === 'GET').at(-1)!.url).toMatch(/^\/channels\/auth\.basic\/events\?lastEventId=[^&]+&token=\[REDACTED\]$/);

    // Without getToken the gateway refuses a publish; the error says so.
    const anonymous = newClient(g.url);
    const refused = await anonymous.publish('auth.basic', 'note', 1).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(HttpStatusError);
    expect(refused).toMatchObject({ status: 401, message: expect.stringMatching(/^publish answered 401: publishing needs a token/) });
    await eventually(() => log().at(-1) === 'POST /channels/auth.basic/events 401', 10_000, 'the refused publish logged');
  });

  it('a 403 ends in unauthorized, saying why, and makes no further request', async () => {
    const log = logFrom(g);
    const tokens = tokenSource();
    const seen = record(newClient(g.url, tokens.getToken).channel('secret.plans'));
    await eventually(() => seen.state().status === 'unauthorized', 10_000, 'unauthorized');
    expect(seen.state().error).toBe('HTTP 403: the token does not allow subscribing to "secret.plans"');
    await sleep(2000); // twenty of its shortest backoffs
    expect(seen.states.map((s) => s.status)).toEqual(['connecting', 'unauthorized']);
    expect(log()).toEqual(['POST /sync 403']);
    expect(tokens.calls).toBe(1);
    seen.stop();
  });

  it('a 401 that a fresh token does not cure ends in unauthorized (no token at all, or a bad fresh one after expiry)', async () => {
    const log = logFrom(g);
    const none = record(newClient(g.url).channel('auth.none'));
    await eventually(() => none.state().status === 'unauthorized', 10_000, 'unauthorized without a token');
    expect(none.state().error).toBe('HTTP 401: a sync needs a token (Authorization: Bearer, the sse_token cookie)');

    // A good token that expires within 2 s, then only tokens the gateway refuses.
    const tokens = tokenSource((call) => (call === 1 ? reader(2) : wrongKey()));
    const seen = record(newClient(g.url, tokens.getToken).channel('auth.bad-refresh'));
    await eventually(() => seen.state().status === 'open', 10_000, 'open');
    const id = await publish(g, 'auth.bad-refresh', 1);
    await eventually(() => seen.state().status === 'unauthorized', 10_000, 'unauthorized after expiry');
    expect(seen.events.map((e) => e.id)).toEqual([id]);
    expect(seen.state().error).toMatch(/^HTTP 401: the token is not accepted: /);
    expect(steps(seen.states)).toEqual([
      ['connecting', null],
      ['open', null],
      ['reconnecting', 'token expired'],
      ['unauthorized', seen.state().error],
    ]);
    // The refused sync's log line may follow the client's state by a moment.
    await eventually(() => log().length >= 5, 10_000, 'the refused sync logged');
    const before = log();
    await sleep(2000);
    expect(log()).toEqual(before);
    expect(before).toEqual(['POST /sync 401', 'POST /sync 200', 'POST /channels/auth.bad-refresh/events 201', 'GET /channels/auth.bad-refresh/events 200', 'POST /sync 401']);
    expect(tokens.calls).toBe(2);
    none.stop();
    seen.stop();
  }, 30_000);

  it('getToken failing is not a refusal: the stream says why, waits its backoff and goes on once a token comes', async () => {
    const log = logFrom(g);
    const tokens = tokenSource((call) => (call <= 2 ? Promise.reject(new Error('login pending')) : reader(3600)));
    const seen = record(newClient(g.url, tokens.getToken).channel('auth.later'));
    await eventually(() => seen.state().status === 'open', 10_000, 'open');
    const id = await publish(g, 'auth.later', 1);
    await eventually(() => seen.events.length === 1, 10_000, 'the event');
    expect(seen.events[0]!.id).toBe(id);
    expect(steps(seen.states)).toEqual([
      ['connecting', null],
      ['reconnecting', 'no token: login pending'],
      ['open', null],
    ]);
    // Two refusals, each followed by a backoff; events$ and state$ are two subscriptions of
    // this page, yet each attempt asked the page once.
    expect(seen.states.filter((s) => s.status === 'reconnecting').map((s) => s.attempt)).toEqual([0, 1, 2]);
    expect(tokens.calls).toBe(3);
    // No request went out without a token. The publish's access-log line is written once its
    // response has finished, so it may reach the output just after the event reached the client.
    await eventually(() => log().length >= 2, 10_000, 'the publish logged');
    expect(log()).toEqual(['POST /sync 200', 'POST /channels/auth.later/events 201']);
    seen.stop();
  });

  it('a sync url opened after its window is refused (401); a fresh token and a sync from its position cure it: nothing lost', async () => {
    const short = await gateway({ SSE_STREAM_TOKEN_TTL_S: '1' });
    const tokens = tokenSource();
    const client = newClient(short.url, tokens.getToken);
    const channel = await client.sync('auth.late');
    const ids: string[] = [];
    for (let n = 0; n < 3; n++) ids.push(await publish(short, 'auth.late', n));
    await sleep(2100); // the stream token's window (1 s, whole seconds) has passed
    const seen = record(channel);
    await eventually(() => seen.events.length === 3, 10_000, 'the events published before subscribing');
    for (let n = 3; n < 5; n++) ids.push(await publish(short, 'auth.late', n));
    await eventually(() => seen.events.length >= 5, 10_000, 'live events');
    await sleep(300);
    expect(seen.events.map((e) => [e.id, e.data])).toEqual(ids.map((id, n) => [id, { n }]));
    expect(seen.states.map((s) => s.status)).toEqual(['connecting', 'reconnecting', 'open']);
    expect(seen.states[1]!.error).toMatch(/^HTTP 401: the token is not accepted: .*exp/);
    expect(tokens.calls).toBe(2);
    expect(clientRequests(short).filter((l) => !l.startsWith('POST /channels'))).toEqual(['POST /sync 200', 'GET /channels/auth.late/events 401', 'POST /sync 200']);
    seen.stop();
  }, 30_000);

  describe('through nginx, when the serving instance is killed', () => {
    const pair = async (env: Record<string, string>) => {
      // Frequent heartbeats: nginx notices a client gone at its next write, and the stream's access log line comes with its end.
      const shared = { SSE_KEY_PREFIX: `client-auth-pair-${Date.now()}:`, SSE_HEARTBEAT_MS: '1000', ...env };
      const gateways = await Promise.all([gateway(shared), gateway(shared)]);
      const nginx = await startNginx({ upstreams: gateways.map((g) => `127.0.0.1:${g.port}`) });
      running.push(nginx);
      return { gateways, nginx };
    };

    /** Opens a stream through nginx, kills its instance mid-way and publishes on the survivor meanwhile. */
    const acrossKill = async (env: Record<string, string>, channelName: string, waitBeforeKillMs: number) => {
      const { gateways, nginx } = await pair(env);
      const tokens = tokenSource();
      const seen = record(newClient(nginx.url, tokens.getToken).channel(channelName));
      await eventually(() => seen.state().status === 'open', 10_000, 'open');
      const victim = gateways.find((g) => g.instanceId === seen.state().instance)!;
      const survivor = gateways.find((g) => g !== victim)!;
      const ids: string[] = [];
      for (let n = 0; n < 3; n++) ids.push(await publish(survivor, channelName, n));
      await eventually(() => seen.events.length === 3, 10_000, 'first events');
      await sleep(waitBeforeKillMs);
      await victim.kill();
      for (let n = 3; n < 6; n++) ids.push(await publish(survivor, channelName, n));
      await eventually(() => seen.events.length >= 6 && seen.state().status === 'open', 20_000, 'events after the kill');
      for (let n = 6; n < 8; n++) ids.push(await publish(survivor, channelName, n));
      await eventually(() => seen.events.length >= 8, 10_000, 'live events after the move');
      await sleep(300);
      expect(seen.events.map((e) => [e.id, e.data])).toEqual(ids.map((id, n) => [id, { n }]));
      expect(seen.state().instance).toBe(survivor.instanceId);
      seen.stop();
      await eventually(() => accessLog(survivor.output()).some((e) => e.method === 'GET' && e.status === 200), 10_000, 'the stream logged once closed');
      return { victim, survivor, tokens, seen };
    };

    it('the reconnect keeps its stream token and moves with Last-Event-ID: no new sync, nothing lost or repeated', async () => {
      const { victim, survivor, tokens } = await acrossKill({}, 'auth.keep', 0);
      expect(tokens.calls).toBe(1);
      // One sync (on either instance), and the reopened stream on the survivor.
      expect(clientRequests(victim, survivor).filter((l) => l.startsWith('POST /sync'))).toEqual(['POST /sync 200']);
      expect(clientRequests(survivor).filter((l) => l.startsWith('GET'))).toEqual(['GET /channels/auth.keep/events 200']);
      // The url of the first sync, its stream token and its position unchanged (the position moved in the header).
      const reopened = accessLog(survivor.output()).find((e) => e.method === 'GET')!;
      expect(reopened.url).toMatch(/^\/channels\/auth\.keep\/events\?lastEventId=[^&]+&token=\[REDACTED\]$/);
    }, 60_000);

    it('a reconnect after the stream token expired is refused (401), then resumes from its last id with a fresh token', async () => {
      const { survivor, tokens, seen } = await acrossKill({ SSE_STREAM_TOKEN_TTL_S: '1' }, 'auth.expired-url', 2100);
      expect(tokens.calls).toBe(2);
      // The first sync may have gone to either instance; after the kill, everything to the survivor.
      expect(clientRequests(survivor).filter((l) => !l.startsWith('POST /channels')).slice(-3)).toEqual([
        'GET /channels/auth.expired-url/events 401',
        'POST /sync 200',
        'GET /channels/auth.expired-url/events 200',
      ]);
      expect(seen.states.some((s) => s.status === 'unauthorized')).toBe(false);
    }, 60_000);
  });
});
