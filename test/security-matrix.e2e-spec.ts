import { loadGatewayConfig } from '../src/config/gateway.config.js';
import { StreamTokenService } from '../src/sse/auth/stream-token.service.js';
import { resolveSseOptions } from '../src/sse/internals.js';
import { startGateway, type TestGateway } from './support/gateway-app.js';
import { openStream, request } from './support/sse-client.js';
import { escalate, signToken, TEST_SECRET, unsignedToken } from './support/tokens.js';

// The authorization matrix: every endpoint that touches a channel, against every way a
// token can be missing, wrong, misplaced or right. Each row asserts the exact status,
// body and WWW-Authenticate challenge.

const AUDIENCE = 'sse-matrix';
const CLAIMS = { sse: { publish: ['orders.*', 'user.{sub}'], subscribe: ['orders.*', 'user.{sub}'] } };

type SetName = 'allowed' | 'denied' | 'public' | 'own' | 'others' | 'elsewhere';
const SETS: Record<SetName, { single: string; multi: string[]; denied: string[] }> = {
  allowed: { single: 'orders.eu', multi: ['orders.eu', 'orders.us'], denied: [] },
  denied: { single: 'billing.eu', multi: ['orders.eu', 'billing.eu'], denied: ['billing.eu'] },
  public: { single: 'public.news', multi: ['public.news', 'public.sport'], denied: [] },
  own: { single: 'user.alice', multi: ['user.alice', 'orders.eu'], denied: [] },
  others: { single: 'user.bob', multi: ['orders.eu', 'user.bob'], denied: ['user.bob'] },
  // Other channels than a sync-issued token was made for (all of them allowed to alice).
  elsewhere: { single: 'orders.us', multi: ['orders.eu', 'orders.fr'], denied: [] },
};

interface Credentials {
  readonly header?: string;
  readonly cookie?: string;
  readonly query?: Record<string, string>;
}

interface Outcome {
  readonly status: number;
  readonly body: any;
  readonly challenge: string | undefined;
}

type EndpointName = 'publish' | 'stream' | 'history' | 'multi-stream' | 'sync' | 'sync-multi';
interface Endpoint {
  readonly action: 'publish' | 'subscribe' | 'sync';
  readonly ok: number;
  readonly multi: boolean;
  /** A stream endpoint: sync-issued stream tokens are for these. */
  readonly stream: boolean;
}
const ENDPOINTS: Record<EndpointName, Endpoint> = {
  publish: { action: 'publish', ok: 201, multi: false, stream: false },
  stream: { action: 'subscribe', ok: 200, multi: false, stream: true },
  history: { action: 'subscribe', ok: 200, multi: false, stream: false },
  'multi-stream': { action: 'subscribe', ok: 200, multi: true, stream: true },
  sync: { action: 'sync', ok: 200, multi: false, stream: false },
  'sync-multi': { action: 'sync', ok: 200, multi: true, stream: false },
};

const SOURCES = {
  publish: 'Authorization: Bearer',
  subscribe: 'Authorization: Bearer, ?token=, the sse_token cookie',
  sync: 'Authorization: Bearer, the sse_token cookie',
};
type Expected = { status: number; message?: string; invalid?: boolean; syncToken?: boolean };
const unauthorized = (message: string): Expected => ({ status: 401, message: `the token is not accepted: ${message}`, invalid: true });
const missing = (e: Endpoint): Expected => ({
  status: 401,
  message: `${e.action === 'publish' ? 'publishing' : e.action === 'sync' ? 'a sync' : 'subscribing'} needs a token (${SOURCES[e.action]})`,
  invalid: false,
});
const forbidden = (e: Endpoint, set: SetName): Expected => ({
  status: 403,
  message: `the token does not allow ${e.action === 'publish' ? 'publishing to' : 'subscribing to'} ${SETS[set].denied.map((c) => JSON.stringify(c)).join(', ')}`,
});
const ok = (e: Endpoint, syncToken = true): Expected => ({ status: e.ok, syncToken });

interface Case {
  readonly name: string;
  readonly set: SetName;
  readonly credentials: (e: Endpoint) => Credentials;
  readonly expect: (e: Endpoint) => Expected;
}

describe('authorization matrix (HS256, audience, public channels)', () => {
  let gateway: TestGateway;
  const tokens: Record<string, string> = {};
  // Stream tokens from POST /sync, and what they were issued for.
  const issued: Record<'single' | 'multi', { token: string; position: string }> = {} as never;

  const bearer = (token: string): Credentials => ({ header: `Bearer ${token}` });
  // The natural place of a token on each endpoint: publish and sync take headers, streams take anything.
  const cases: Case[] = [
    { name: 'no token', set: 'allowed', credentials: () => ({}), expect: missing },
    { name: 'no token, public channel', set: 'public', credentials: () => ({}), expect: (e) => (e.action === 'publish' ? missing(e) : ok(e, false)) },
    { name: 'not a JWT', set: 'allowed', credentials: () => bearer('not-a-jwt'), expect: () => unauthorized('it is not a well-formed signed JWT') },
    { name: 'empty bearer', set: 'allowed', credentials: () => ({ header: 'Bearer ' }), expect: () => unauthorized('it is not a well-formed signed JWT') },
    { name: 'Basic credentials instead of a bearer token', set: 'allowed', credentials: () => ({ header: 'Basic YWxpY2U6cHc=' }), expect: missing },
    { name: 'bad signature (another secret)', set: 'allowed', credentials: () => bearer(tokens.otherSecret!), expect: () => unauthorized('its signature does not verify') },
    { name: 'claims rewritten, signature kept', set: 'denied', credentials: () => bearer(tokens.escalated!), expect: () => unauthorized('its signature does not verify') },
    { name: 'alg none', set: 'allowed', credentials: () => bearer(tokens.none!), expect: () => unauthorized('its algorithm is not accepted') },
    { name: 'wrong algorithm (HS512)', set: 'allowed', credentials: () => bearer(tokens.hs512!), expect: () => unauthorized('its algorithm is not accepted') },
    { name: 'expired', set: 'allowed', credentials: () => bearer(tokens.expired!), expect: () => unauthorized('it has expired') },
    { name: 'not yet valid', set: 'allowed', credentials: () => bearer(tokens.future!), expect: () => unauthorized('it is not valid yet') },
    { name: 'wrong audience', set: 'allowed', credentials: () => bearer(tokens.otherAudience!), expect: () => unauthorized('it is for another audience') },
    { name: 'no audience', set: 'allowed', credentials: () => bearer(tokens.noAudience!), expect: () => unauthorized('it is for another audience') },
    { name: 'no expiry', set: 'allowed', credentials: () => bearer(tokens.noExp!), expect: () => unauthorized('it has no expiry (exp)') },
    { name: 'wrong channel', set: 'denied', credentials: () => bearer(tokens.alice!), expect: (e) => forbidden(e, 'denied') },
    { name: 'right channel', set: 'allowed', credentials: () => bearer(tokens.alice!), expect: (e) => ok(e) },
    {
      name: 'token without sse claim',
      set: 'allowed',
      credentials: () => bearer(tokens.noClaims!),
      expect: (e) => ({
        status: 403,
        message: `the token does not allow ${e.action === 'publish' ? 'publishing to' : 'subscribing to'} ${(e.multi ? SETS.allowed.multi : [SETS.allowed.single]).map((c) => JSON.stringify(c)).join(', ')}`,
      }),
    },
    { name: '{sub}: own channel', set: 'own', credentials: () => bearer(tokens.alice!), expect: (e) => ok(e) },
    { name: "{sub}: another subject's channel", set: 'others', credentials: () => bearer(tokens.alice!), expect: (e) => forbidden(e, 'others') },
    {
      name: 'token in the sse_token cookie',
      set: 'allowed',
      credentials: () => ({ cookie: `theme=dark; sse_token=${tokens.alice}` }),
      expect: (e) => (e.action === 'publish' ? missing(e) : ok(e)),
    },
    {
      name: 'token in ?token=',
      set: 'allowed',
      credentials: () => ({ query: { token: tokens.alice! } }),
      expect: (e) => (e.action === 'subscribe' ? ok(e) : missing(e)),
    },
    {
      name: 'bad token in the Authorization header wins over a good cookie',
      set: 'allowed',
      credentials: () => ({ header: `Bearer ${tokens.expired}`, cookie: `sse_token=${tokens.alice}` }),
      expect: () => unauthorized('it has expired'),
    },
    {
      name: 'sync-issued token on its own stream',
      set: 'allowed',
      credentials: (e) => streamTokenCredentials(e),
      expect: (e) => (e.stream ? ok(e) : elsewhere()),
    },
    {
      name: 'sync-issued token reused on another channel',
      set: 'elsewhere',
      credentials: (e) => streamTokenCredentials(e),
      expect: (e) => (e.stream ? { status: 403, message: 'this stream token was issued for other channels' } : elsewhere()),
    },
    {
      name: 'sync-issued token at another position',
      set: 'allowed',
      credentials: (e) => ({ ...streamTokenCredentials(e), query: { ...streamTokenCredentials(e).query, lastEventId: '0-1.other' } }),
      expect: (e) => (e.stream ? { status: 403, message: 'this stream token was issued for another position (lastEventId)' } : elsewhere()),
    },
    {
      name: 'expired sync-issued token',
      set: 'allowed',
      credentials: (e) => ({ ...streamTokenCredentials(e), query: { ...streamTokenCredentials(e).query, token: tokens.expiredStream! } }),
      expect: (e) => (e.stream ? unauthorized('it has expired') : elsewhere()),
    },
    {
      name: 'stream token forged with the JWT secret',
      set: 'allowed',
      credentials: (e) => ({ ...streamTokenCredentials(e), query: { ...streamTokenCredentials(e).query, token: tokens.forgedStream! } }),
      expect: (e) => (e.stream ? unauthorized('its signature does not verify') : elsewhere()),
    },
  ];

  // Streams take the token in the url (as a sync answer gives it); elsewhere it goes where
  // that endpoint looks first: publish and sync the header, history the query.
  function streamTokenCredentials(e: Endpoint): Credentials {
    const { token, position } = e.multi ? issued.multi : issued.single;
    if (e.action === 'publish' || e.action === 'sync') return bearer(token);
    return { query: e.stream ? { lastEventId: position, token } : { token } };
  }
  function elsewhere(): Expected {
    return { status: 401, message: 'a stream token only opens the stream it was issued for', invalid: true };
  }

  async function call(name: EndpointName, set: SetName, credentials: Credentials): Promise<Outcome> {
    const headers: Record<string, string> = {};
    if (credentials.header !== undefined) headers.authorization = credentials.header;
    if (credentials.cookie !== undefined) headers.cookie = credentials.cookie;
    const query = new URLSearchParams(credentials.query ?? {}).toString();
    const { single, multi } = SETS[set];
    const read = (r: { status: number; body: any; headers: Record<string, unknown> }): Outcome => ({
      status: r.status,
      body: r.body,
      challenge: r.headers['www-authenticate'] as string | undefined,
    });
    switch (name) {
      case 'publish':
        return read(await request('POST', `${gateway.url}/channels/${single}/events${query ? `?${query}` : ''}`, { json: { data: 1 }, headers }));
      case 'history':
        return read(await request('GET', `${gateway.url}/channels/${single}/events${query ? `?${query}` : ''}`, { headers: { ...headers, accept: 'application/json' } }));
      case 'sync':
        return read(await request('POST', `${gateway.url}/sync${query ? `?${query}` : ''}`, { json: { channel: single }, headers }));
      case 'sync-multi':
        return read(await request('POST', `${gateway.url}/sync${query ? `?${query}` : ''}`, { json: { channels: multi }, headers }));
      case 'stream':
      case 'multi-stream': {
        const path =
          name === 'stream'
            ? `/channels/${single}/events${query ? `?${query}` : ''}`
            : `/events?${multi.map((c) => `channel=${c}`).join('&')}${query ? `&${query}` : ''}`;
        const stream = await openStream(`${gateway.url}${path}`, headers);
        if (stream.status === 200) {
          const contentType = stream.headers['content-type'];
          stream.close();
          return { status: 200, body: { contentType }, challenge: stream.headers['www-authenticate'] as string | undefined };
        }
        await stream.ended;
        return { status: stream.status, body: JSON.parse(stream.text()), challenge: stream.headers['www-authenticate'] as string | undefined };
      }
    }
  }

  beforeAll(async () => {
    gateway = await startGateway({
      SSE_JWT_SECRET: TEST_SECRET,
      SSE_JWT_AUDIENCE: AUDIENCE,
      SSE_JWT_CLOCK_TOLERANCE_S: '0',
      SSE_PUBLIC_CHANNELS: 'public.*',
      SSE_HEARTBEAT_MS: '60000',
    });
    const aud = AUDIENCE;
    tokens.alice = await signToken(CLAIMS, { sub: 'alice', aud });
    tokens.otherSecret = await signToken(CLAIMS, { sub: 'alice', aud, key: new TextEncoder().encode(`${TEST_SECRET}-not-the-one`) });
    tokens.escalated = escalate(tokens.alice);
    tokens.none = unsignedToken({ ...CLAIMS, sub: 'alice', aud });
    tokens.hs512 = await signToken(CLAIMS, { sub: 'alice', aud, alg: 'HS512' });
    tokens.expired = await signToken(CLAIMS, { sub: 'alice', aud, expIn: -60 });
    tokens.future = await signToken(CLAIMS, { sub: 'alice', aud, nbfIn: 600 });
    tokens.otherAudience = await signToken(CLAIMS, { sub: 'alice', aud: 'someone-else' });
    tokens.noAudience = await signToken(CLAIMS, { sub: 'alice' });
    tokens.noExp = await signToken(CLAIMS, { sub: 'alice', aud, expIn: null });
    tokens.noClaims = await signToken({}, { sub: 'alice', aud });

    for (const [kind, body] of [['single', { channel: SETS.allowed.single }], ['multi', { channels: SETS.allowed.multi }]] as const) {
      const answer = await request('POST', `${gateway.url}/sync`, { json: body, headers: { authorization: `Bearer ${tokens.alice}` } });
      expect(answer.status).toBe(200);
      const url = new URL(answer.body.url, gateway.url);
      issued[kind] = { token: url.searchParams.get('token')!, position: url.searchParams.get('lastEventId')! };
    }
    // Stream tokens an attacker might bring, made as the gateway makes them: expired (the real
    // stream key, issued long enough ago), or signed with the JWT secret.
    const jwt = resolveSseOptions(loadGatewayConfig({ SSE_JWT_SECRET: TEST_SECRET }).sse).http!.jwt!;
    const stream = (secret: Uint8Array, issuedAt: number) =>
      new StreamTokenService({ ...jwt, streamTokenSecret: secret }).issue({ subject: 'alice' }, [SETS.allowed.single], issued.single.position, issuedAt);
    tokens.expiredStream = await stream(jwt.streamTokenSecret, Date.now() - (jwt.streamTokenTtlS + jwt.clockToleranceS + 60) * 1000);
    tokens.forgedStream = await stream(new TextEncoder().encode(TEST_SECRET), Date.now());
  });
  afterAll(() => gateway.close());

  const rows = cases.flatMap((c) => (Object.keys(ENDPOINTS) as EndpointName[]).map((endpoint) => ({ case: c, endpoint })));

  it('covers every endpoint and case', () => {
    expect(rows).toHaveLength(cases.length * 6);
    // Printed for the record: the size of the matrix.
    process.stdout.write(`authorization matrix: ${cases.length} cases x 6 endpoints = ${rows.length} rows\n`);
  });

  it.each(rows.map((r) => [`${r.endpoint} / ${r.case.name}`, r] as const))('%s', async (_label, row) => {
    const endpoint = ENDPOINTS[row.endpoint];
    const credentials = row.case.credentials(endpoint);
    const expected = row.case.expect(endpoint);
    const outcome = await call(row.endpoint, row.case.set, credentials);
    expect({ status: outcome.status }).toEqual({ status: expected.status });
    if (expected.status === 401) {
      expect(outcome.body).toEqual({ statusCode: 401, error: 'Unauthorized', message: expected.message });
      expect(outcome.challenge).toBe(
        expected.invalid
          ? `Bearer realm="sse-gateway", error="invalid_token", error_description="${expected.message}"`
          : 'Bearer realm="sse-gateway"',
      );
    } else if (expected.status === 403) {
      expect(outcome.body).toEqual({ statusCode: 403, error: 'Forbidden', message: expected.message });
      expect(outcome.challenge).toBe('Bearer realm="sse-gateway", error="insufficient_scope"');
    } else if (row.endpoint === 'publish') {
      expect(outcome.body).toEqual({ id: expect.any(String), channel: SETS[row.case.set].single });
    } else if (row.endpoint === 'stream' || row.endpoint === 'multi-stream') {
      expect(outcome.body).toEqual({ contentType: 'text/event-stream' });
    } else if (row.endpoint === 'history') {
      expect(Object.keys(outcome.body).sort()).toEqual(['events', 'head']);
      expect(Array.isArray(outcome.body.events)).toBe(true);
    } else {
      const url = new URL(outcome.body.url, gateway.url);
      expect(url.searchParams.has('token')).toBe(expected.syncToken === true);
    }
  });
});
