import fc from 'fast-check';
import { startGatewayProcess, type GatewayProcess } from './support/gateway-process.js';
import { rawRequest, type RawAnswer } from './support/raw-http.js';
import { openStream, request, type TestStream } from './support/sse-client.js';
import { signToken, TEST_SECRET } from './support/tokens.js';

// Property-based fuzzing of a real gateway process with authorization on: hostile publish
// bodies, headers, channel names, positions and sync bodies, sent byte for byte. It must
// answer every one without a 5xx, stay up, and deliver to an honest subscriber exactly the
// events that were accepted, with no frame injected.

const RUNS = { publish: 400, headers: 400, paths: 400, sync: 200 } as const;
const VICTIM = 'victim.feed';
const NASTY = [
  '\r\n\r\nevent: reset\r\ndata: pwned',
  '\n\ndata: injected\n\n',
  'x\rid: 999\r',
  '\u0000',
  '\u2028\u2029',
  '%0d%0aevent:%20reset',
  '../../etc/passwd',
  '${jndi:ldap://x}',
  'reset',
  'sse.token-expired',
  'error',
  '0-0.x',
  'eyJhbGciOiJub25lIn0.eyJzc2UiOnsicHVibGlzaCI6WyIqKiJdfX0.',
  'a'.repeat(5000),
];

const text = () =>
  fc.oneof(
    fc.string({ unit: 'binary', maxLength: 80 }),
    fc.string({ unit: 'grapheme-ascii', maxLength: 40 }),
    fc.constantFrom(...NASTY),
  );

describe('hostile input (fast-check)', () => {
  let gateway: GatewayProcess;
  let token: string;
  let victim: TestStream;
  let victimMulti: TestStream;
  /** What the gateway accepted on the victim's channel, in order. */
  const accepted: { type: string; data: string }[] = [];
  let cases = 0;

  const expectHandled = (answer: RawAnswer, what: unknown) => {
    cases++;
    if (!(answer.status >= 100 && answer.status < 500)) {
      throw new Error(`answered ${answer.status} to ${JSON.stringify(what)}:\n${answer.text.slice(0, 500)}`);
    }
  };

  beforeAll(async () => {
    gateway = await startGatewayProcess({
      SSE_JWT_SECRET: TEST_SECRET,
      SSE_PUBLIC_CHANNELS: 'fuzz.public.*',
      SSE_MAX_EVENT_BYTES: '4096',
      SSE_HEARTBEAT_MS: '60000',
      SSE_CORS_ORIGINS: 'https://app.example.com',
    });
    token = await signToken({ sse: { publish: [VICTIM, 'fuzz.**'], subscribe: ['victim.**', 'fuzz.**'] } }, { sub: 'fuzzer' });
    victim = await openStream(`${gateway.url}/channels/${VICTIM}/events`, { authorization: `Bearer ${token}` });
    victimMulti = await openStream(`${gateway.url}/events?channel=${VICTIM}&channel=victim.quiet`, { authorization: `Bearer ${token}` });
    expect([victim.status, victimMulti.status]).toEqual([200, 200]);
    await victim.waitUntil(() => victim.parser.lastEventId !== '');
    await victimMulti.waitUntil(() => victimMulti.parser.lastEventId !== '');
  });
  afterAll(async () => {
    victim?.close();
    victimMulti?.close();
    await gateway?.stop();
  });

  it(`publish bodies and content types (${RUNS.publish} cases)`, async () => {
    const body = fc.oneof(
      {
        arbitrary: fc
          .record({ data: fc.jsonValue({ maxDepth: 3 }), event: fc.option(fc.oneof(text(), fc.stringMatching(/^[A-Za-z0-9._:-]{1,64}$/)), { nil: undefined }) }, { requiredKeys: ['data'] })
          .map((o) => JSON.stringify(o)),
        weight: 6,
      },
      fc.json({ maxDepth: 3 }),
      fc.string({ unit: 'binary', maxLength: 200 }),
      fc.record({ data: fc.constantFrom(...NASTY), event: fc.constantFrom('order.created', ...NASTY) }).map((o) => JSON.stringify(o)),
      fc.constant('{"data":' + '['.repeat(5000) + ']'.repeat(5000) + '}'),
      fc.constant(JSON.stringify({ data: 'x'.repeat(5000) })),
    );
    const contentType = fc.option(
      fc.constantFrom('application/json', 'application/json; charset=utf-8', 'application/json; charset=utf-16', 'text/plain', 'application/x-www-form-urlencoded', 'application/merge-patch+json', 'multipart/form-data; boundary=x'),
      { nil: undefined },
    );
    const channel = fc.constantFrom(VICTIM, VICTIM, VICTIM, 'fuzz.a', 'fuzz.b.c', 'victim.other');
    await fc.assert(
      fc.asyncProperty(body, contentType, channel, async (payload, type, target) => {
        const bytes = Buffer.from(payload, 'utf8');
        const head =
          `POST /channels/${target}/events HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${token}\r\n` +
          (type ? `Content-Type: ${type}\r\n` : '') +
          `Content-Length: ${bytes.length}\r\nConnection: close\r\n\r\n`;
        const answer = await rawRequest(gateway.port, head, bytes);
        expectHandled(answer, { payload: payload.slice(0, 200), type, target });
        if (answer.status === 201 && target === VICTIM) {
          const sent = JSON.parse(payload) as { data: unknown; event?: string };
          accepted.push({ type: sent.event ?? 'message', data: JSON.stringify(sent.data) });
        }
        if (answer.status === 201) {
          // Only a valid event type on a channel the token allows is ever accepted.
          expect(target).not.toBe('victim.other');
          const { event } = JSON.parse(payload) as { event?: string };
          expect(event === undefined || /^[A-Za-z0-9._:-]{1,64}$/.test(event)).toBe(true);
          expect(event === undefined || !/^(reset|error|sse\..*)$/.test(event)).toBe(true);
        }
      }),
      { numRuns: RUNS.publish },
    );
    // Enough got through for the delivery check at the end to mean something.
    expect(accepted.length).toBeGreaterThan(15);
  });

  it(`headers: Last-Event-ID, Authorization, Cookie, Origin and more (${RUNS.headers} cases)`, async () => {
    const authorization = fc.oneof(
      fc.constant(`Bearer ${token}`),
      fc.constant(undefined),
      text().map((t) => `Bearer ${t}`),
      text(),
    );
    const target = fc.constantFrom(`/channels/${VICTIM}/events`, '/channels/fuzz.x/events', '/channels/fuzz.public.news/events', `/events?channel=${VICTIM}&channel=fuzz.y`);
    await fc.assert(
      fc.asyncProperty(
        target,
        fc.option(text(), { nil: undefined }),
        authorization,
        fc.option(text(), { nil: undefined }),
        fc.option(fc.oneof(text(), fc.constant('https://app.example.com')), { nil: undefined }),
        fc.constantFrom('text/event-stream', 'application/json', '*/*', 'text/html', 'garbage'),
        fc.option(fc.tuple(text(), text()), { nil: undefined }),
        async (path, lastEventId, auth, cookie, origin, accept, extra) => {
          const lines = [`GET ${path} HTTP/1.1`, 'Host: 127.0.0.1', `Accept: ${accept}`];
          if (lastEventId !== undefined) lines.push(`Last-Event-ID: ${lastEventId}`);
          if (auth !== undefined) lines.push(`Authorization: ${auth}`);
          if (cookie !== undefined) lines.push(`Cookie: sse_token=${cookie}`);
          if (origin !== undefined) lines.push(`Origin: ${origin}`);
          if (extra !== undefined) lines.push(`X-${extra[0].replace(/[^A-Za-z0-9-]/g, '') || 'E'}: ${extra[1]}`);
          const answer = await rawRequest(gateway.port, `${lines.join('\r\n')}\r\nConnection: close\r\n\r\n`);
          expectHandled(answer, { path, lastEventId, auth, cookie, origin, accept, extra });
        },
      ),
      { numRuns: RUNS.headers },
    );
  });

  it(`channel names, paths and query strings (${RUNS.paths} cases)`, async () => {
    const segment = fc.oneof(
      text().map((t) => encodeURIComponent(t)),
      fc.string({ unit: fc.constantFrom(...'abc.%_:-~!*()/?#&=+;,0189AFaf'.split('')), maxLength: 30 }),
      fc.constantFrom('%E0%A4%A', '%', '%00', '..', '%2e%2e', 'a'.repeat(200), VICTIM),
    );
    const query = fc.option(
      fc.array(fc.tuple(fc.constantFrom('channel', 'lastEventId', 'token', 'after', 'limit', 'channel[]', '__proto__'), segment), { maxLength: 6 }),
      { nil: undefined },
    );
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('GET-stream', 'GET-json', 'POST', 'GET-events', 'OPTIONS'),
        segment,
        query,
        async (kind, name, params) => {
          const qs = params === undefined ? '' : `?${params.map(([k, v]) => `${k}=${v}`).join('&')}`;
          const path = kind === 'GET-events' ? `/events${qs}` : `/channels/${name}/events${qs}`;
          const method = kind.startsWith('GET') ? 'GET' : kind;
          const accept = kind === 'GET-json' ? 'application/json' : 'text/event-stream';
          const body = method === 'POST' ? Buffer.from('{"data":1}') : undefined;
          const head =
            `${method} ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: ${accept}\r\nAuthorization: Bearer ${token}\r\n` +
            (method === 'OPTIONS' ? 'Origin: https://app.example.com\r\nAccess-Control-Request-Method: POST\r\n' : '') +
            (body ? `Content-Type: application/json\r\nContent-Length: ${body.length}\r\n` : '') +
            'Connection: close\r\n\r\n';
          const answer = await rawRequest(gateway.port, head, body);
          expectHandled(answer, { kind, path });
          if (answer.status === 201) {
            // Accepted publishes to the victim's channel are expected there too.
            const channel = decodeURIComponent(name);
            expect(['victim.feed'].includes(channel) || /^fuzz\./.test(channel)).toBe(true);
            if (channel === VICTIM) accepted.push({ type: 'message', data: '1' });
          }
        },
      ),
      { numRuns: RUNS.paths },
    );
  });

  it(`sync bodies (${RUNS.sync} cases)`, async () => {
    const body = fc.oneof(
      fc.json({ maxDepth: 3 }),
      fc.record({ channel: fc.oneof(text(), fc.constant(VICTIM)) }).map((b) => JSON.stringify(b)),
      fc.record({ channels: fc.array(fc.oneof(text(), fc.constantFrom(VICTIM, 'fuzz.a')), { maxLength: 40 }), lastEventId: fc.option(text(), { nil: undefined }) }).map((b) => JSON.stringify(b)),
    );
    await fc.assert(
      fc.asyncProperty(body, fc.boolean(), async (payload, withToken) => {
        const bytes = Buffer.from(payload, 'utf8');
        const head =
          `POST /sync HTTP/1.1\r\nHost: 127.0.0.1\r\n${withToken ? `Authorization: Bearer ${token}\r\n` : ''}` +
          `Content-Type: application/json\r\nContent-Length: ${bytes.length}\r\nConnection: close\r\n\r\n`;
        const answer = await rawRequest(gateway.port, head, bytes);
        expectHandled(answer, { payload: payload.slice(0, 200), withToken });
      }),
      { numRuns: RUNS.sync },
    );
  });

  it('leaves the gateway up and the honest subscribers with exactly the accepted events', async () => {
    process.stdout.write(`fuzz: ${cases} hostile requests, no 5xx\n`);
    expect(cases).toBe(RUNS.publish + RUNS.headers + RUNS.paths + RUNS.sync);
    expect(gateway.child.exitCode).toBeNull();
    expect((await request('GET', `${gateway.url}/health`)).status).toBe(200);

    await victim.waitForEvents(accepted.length, 10_000);
    await victimMulti.waitForEvents(accepted.length, 10_000);
    await new Promise((r) => setTimeout(r, 200));
    expect(victim.parser.events.map((e) => ({ type: e.type, data: e.data }))).toEqual(accepted);
    expect(victimMulti.parser.events.map((e) => ({ type: e.type, data: JSON.stringify(JSON.parse(e.data)) }))).toEqual(
      accepted.map((a) => ({ type: a.type, data: JSON.stringify({ channel: VICTIM, data: JSON.parse(a.data) }) })),
    );
    // Nothing but the frames the gateway writes itself: no stray field, no CR (a line break to
    // EventSource) inside a line, no reserved type. U+2028 in JSON text is not a line break there.
    for (const stream of [victim, victimMulti]) {
      for (const line of stream.text().split('\n')) expect(line).toMatch(/^(|retry: \d+|id: [\x21-\x7e]+|event: [A-Za-z0-9._:-]+|data: [^\r\n]*|:[^\r\n]*)$/);
      expect(stream.text()).not.toMatch(/^event: (reset|error|sse\.(?!connected\n))/m);
    }
    expect(gateway.output()).not.toMatch(/internal error|ERROR/);
  });
});
