import fc from 'fast-check';
import { startGatewayProcess, type GatewayProcess } from './support/gateway-process.js';
import { eventually } from './support/ports.js';
import { rawRequest } from './support/raw-http.js';
import { TEST_SECRET, signToken } from './support/tokens.js';

// No token reaches a log line, in any way a request may carry one that the gateway
// accepts: the query parameter however its name and value are percent-encoded, the
// Authorization header in any case and spacing, the cookie however spaced, quoted or
// encoded; and in the ways it refuses (repeated, other cases, brackets). Real gateway
// processes, both log formats, with the access log on.

const CHANNEL = 'logs.tokens';

/** `text` with each character written as itself or percent-encoded, in either hex case. */
const spelled = (text: string) =>
  fc.array(fc.constantFrom('plain', 'upper', 'lower'), { minLength: text.length, maxLength: text.length }).map((ways) =>
    [...text]
      .map((char, i) => {
        if (ways[i] === 'plain') return char;
        const hex = char.charCodeAt(0).toString(16).padStart(2, '0');
        return `%${ways[i] === 'upper' ? hex.toUpperCase() : hex}`;
      })
      .join(''),
  );
/** `text` in a random mix of upper and lower case. */
const anyCase = (text: string) =>
  fc.array(fc.boolean(), { minLength: text.length, maxLength: text.length }).map((upper) =>
    [...text].map((char, i) => (upper[i] ? char.toUpperCase() : char.toLowerCase())).join(''),
  );
const blanks = (min: number) => fc.string({ unit: fc.constantFrom(' ', '\t'), minLength: min, maxLength: 3 });
const otherParams = fc.array(fc.constantFrom('lastEventId=0', 'limit=5', 'x=1', 'a=%20b'), { maxLength: 3 });

/** How a request carries a token, and whether the gateway accepts it that way (200) or refuses it (401). */
interface Carrier {
  readonly kind: string;
  readonly accepted: boolean;
  /** The request head for `token`, and what of it was written raw (to look for in the logs too). */
  build(token: string): { head: string; raw: string[] };
}

const head = (target: string, headers: string[] = []) =>
  [`GET ${target} HTTP/1.1`, 'Host: 127.0.0.1', 'Accept: application/json', 'Connection: close', ...headers, '', ''].join('\r\n');

/** A carrier whose token spelling is drawn once the token is known (per run, from `seed`). */
const carrier = fc.oneof(
  fc.record({ name: spelled('token'), others: otherParams, at: fc.nat(3), seed: fc.integer() }).map(
    ({ name, others, at, seed }): Carrier => ({
      kind: `query ?${name}=`,
      accepted: true,
      build(token) {
        const value = fc.sample(spelled(token), { seed, numRuns: 1 })[0]!;
        const params: string[] = [...others];
        params.splice(Math.min(at, params.length), 0, `${name}=${value}`);
        return { head: head(`/channels/${CHANNEL}/events?${params.join('&')}`), raw: [value] };
      },
    }),
  ),
  fc.record({ header: anyCase('authorization'), scheme: anyCase('bearer'), gap: blanks(1), tail: blanks(0) }).map(
    ({ header, scheme, gap, tail }): Carrier => ({
      kind: `header ${header}: ${scheme}`,
      accepted: true,
      build: (token) => ({ head: head(`/channels/${CHANNEL}/events`, [`${header}: ${scheme}${gap}${token}${tail}`]), raw: [] }),
    }),
  ),
  fc.record({ before: blanks(0), around: blanks(0), quoted: fc.boolean(), seed: fc.integer(), others: fc.boolean() }).map(
    ({ before, around, quoted, seed, others }): Carrier => ({
      kind: `cookie${quoted ? ' quoted' : ''}`,
      accepted: true,
      build(token) {
        const value = fc.sample(spelled(token), { seed, numRuns: 1 })[0]!;
        const cookie = `${before}sse_token${around}=${around}${quoted ? `"${value}"` : value}`;
        return { head: head(`/channels/${CHANNEL}/events`, [`Cookie: ${others ? `a=1;${cookie}; b=2` : cookie}`]), raw: [value] };
      },
    }),
  ),
  fc.constantFrom('token=$&token=$', 'TOKEN=$', 'Token=$', 'token+=$', 'to+ken=$', 'token[]=$', 'token[a]=$', 'token%5B%5D=$', 'access_token=$', '%54oken=$').map(
    (pattern): Carrier => ({
      kind: `refused ?${pattern}`,
      accepted: false,
      build: (token) => ({ head: head(`/channels/${CHANNEL}/events?${pattern.replaceAll('$', token)}`), raw: [] }),
    }),
  ),
);

describe('tokens never reach a log line', () => {
  const gateways: GatewayProcess[] = [];
  afterAll(() => Promise.all(gateways.map((g) => g.kill())));

  it('in any spelling the gateway accepts or refuses, in the text and the JSON format', async () => {
    const env = { SSE_JWT_SECRET: TEST_SECRET, SSE_ACCESS_LOG: 'true' };
    const text = await startGatewayProcess(env);
    const json = await startGatewayProcess({ ...env, SSE_LOG_FORMAT: 'json' });
    gateways.push(text, json);
    const accessLines = (gateway: GatewayProcess) => (gateway.output().match(/\[Access\] |"context":"Access"/g) ?? []).length;
    const secrets: string[] = [];
    let run = 0;
    const kinds = new Set<string>();

    await fc.assert(
      fc.asyncProperty(carrier, async (how) => {
        run += 1;
        const token = await signToken({ sse: { subscribe: ['logs.*'] } }, { sub: `user-${run}-${Math.random().toString(36).slice(2)}` });
        const { head: request, raw } = how.build(token);
        kinds.add(how.kind.split(' ')[0]!);
        for (const gateway of [text, json]) {
          const before = accessLines(gateway);
          const answer = await rawRequest(gateway.port, request);
          expect([how.kind, answer.status]).toEqual([how.kind, how.accepted ? 200 : 401]);
          await eventually(() => accessLines(gateway) > before, 5000, 'the access line');
        }
        const [header, payload, signature] = token.split('.');
        secrets.push(token, payload!, signature!, header!, ...raw.filter((r) => r.length >= 16));
        for (const gateway of [text, json]) {
          const log = gateway.output();
          for (const secret of [token, payload!, signature!, ...raw]) expect([how.kind, log.includes(secret)]).toEqual([how.kind, false]);
        }
      }),
      { numRuns: 60 },
    );

    expect([...kinds].sort()).toEqual(['cookie', 'header', 'query', 'refused']);
    // The token parameter did show up, redacted: the access log saw those requests.
    expect(text.output()).toMatch(/\[Access\] 127\.0\.0\.1 GET \/channels\/logs\.tokens\/events\?(\S+&)?token=\[REDACTED\]/);
    for (const record of json.output().split('\n').filter(Boolean)) JSON.parse(record);
    // Once more over everything both printed, the shared JWT header segment included.
    for (const gateway of [text, json]) {
      const log = gateway.output();
      for (const secret of secrets) expect(log.includes(secret)).toBe(false);
      expect(log).not.toContain(TEST_SECRET);
    }
  });
});
