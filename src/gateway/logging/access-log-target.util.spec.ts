import fc from 'fast-check';
import type { IncomingMessage } from 'node:http';
import { parse } from 'node:querystring';
import { findToken } from '../../sse/internals.js';
import { accessLogTarget } from './access-log-target.util.js';

// Express 5's default ("simple") query parser is node:querystring's parse: the same
// decoding the gateway's token sources see as `request.query`.
const target = (url: string) => accessLogTarget(url, parse(url.includes('?') ? url.slice(url.indexOf('?') + 1).split('#')[0]! : ''));

describe('accessLogTarget', () => {
  it('keeps the path and ordinary parameters, and redacts the token however its name is spelled', () => {
    expect(target('/channels/a/events?lastEventId=0&token=abc')).toBe('/channels/a/events?lastEventId=0&token=[REDACTED]');
    expect(target('/channels/a/events?%74oken=abc')).toBe('/channels/a/events?token=[REDACTED]');
    expect(target('/channels/a/events?to%6Ben=%61bc')).toBe('/channels/a/events?token=[REDACTED]');
    expect(target('/events?channel=a&channel=b:c&token=x&token=y')).toBe('/events?channel=a&channel=b:c&token=[REDACTED]&token=[REDACTED]');
    expect(target('/events?TOKEN=x&token+=y&to+ken=z&token[]=w&token[a]=v&access_token=u')).toBe(
      '/events?TOKEN=[REDACTED]&token%20=[REDACTED]&to%20ken=[REDACTED]&token%5B%5D=[REDACTED]&token%5Ba%5D=[REDACTED]&access_token=[REDACTED]',
    );
  });

  it('drops an empty query and anything after #', () => {
    expect(target('/health?')).toBe('/health');
    expect(target('/health')).toBe('/health');
    expect(accessLogTarget('/events#token=abc', {})).toBe('/events');
  });

  it('re-encodes what it keeps, so a value cannot forge another parameter', () => {
    expect(target('/x?a=%26token%3Dabc&b=%E2%9C%93')).toBe('/x?a=%26token%3Dabc&b=%E2%9C%93');
    expect(accessLogTarget('/x', { a: '\ud800' })).toBe('/x?a=%EF%BF%BD');
  });

  it('walks nested values (a qs-style parser) and redacts credential keys at any depth', () => {
    expect(accessLogTarget('/x?…', { token: { a: 'abc' }, filter: { jwt: 'abc', kind: ['x', 'y'] }, n: 5 })).toBe(
      '/x?token=[REDACTED]&filter[jwt]=[REDACTED]&filter[kind]=x&filter[kind]=y',
    );
  });
});

/** `text` with each character written as itself or percent-encoded, in either hex case. */
const spelled = (text: string) =>
  fc.array(fc.constantFrom('plain', 'upper', 'lower'), { minLength: text.length, maxLength: text.length }).map((ways) =>
    [...text]
      .map((char, i) => {
        if (ways[i] === 'plain') return char;
        const hex = char.charCodeAt(0).toString(16).padStart(2, '0');
        return `%${ways[i] === 'upper' ? hex.toUpperCase() : hex.toLowerCase()}`;
      })
      .join(''),
  );

const segment = fc.string({ unit: fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'), minLength: 12, maxLength: 40 });
const jwtLike = fc.tuple(segment, segment, segment).map(([a, b, c]) => `eyJ${a}.${b}.${c}`);
const otherParam = fc.tuple(fc.constantFrom('channel', 'lastEventId', 'after', 'limit', 'x'), fc.stringMatching(/^[a-z0-9.:-]{0,12}$/)).map(([k, v]) => `${k}=${v}`);
/** Names that decode to `token` (accepted), and names a client might try that the parser does not fold to it. */
const tokenName = fc.oneof(
  spelled('token'),
  fc.constantFrom('TOKEN', 'Token', 'token+', '+token', 'to+ken', 'token%20', 'token[]', 'token[0]', 'token%5B%5D', 'access_token', 'id_token', 'jwt'),
);

/** A token and one way of writing it in a query value. */
const tokenAndSpelling = jwtLike.chain((token) => fc.tuple(fc.constant(token), spelled(token)));

describe('accessLogTarget, every spelling of a token', () => {
  it('never shows the token, decoded or as sent, and redacts every token the gateway accepts', () => {
    fc.assert(
      fc.property(
        tokenAndSpelling,
        tokenName,
        fc.nat(4),
        fc.array(otherParam, { maxLength: 4 }),
        fc.boolean(),
        fc.constantFrom('', '#', '&', '#frag'),
        ([token, value], name, at, others, repeat, tail) => {
          const pair = `${name}=${value}`;
          const params = [...others];
          params.splice(Math.min(at, params.length), 0, pair);
          if (repeat) params.push(pair);
          const url = `/channels/orders/events?${params.join('&')}${tail}`;
          const query = parse(url.slice(url.indexOf('?') + 1).split('#')[0]!);
          let accepted = false;
          try {
            accepted = findToken({ headers: {}, query } as unknown as IncomingMessage, ['query'])?.token === token;
          } catch {
            accepted = false; // several ?token= at once: refused, and still never logged
          }
          const line = accessLogTarget(url, query);
          expect(line).not.toContain(token);
          expect(line).not.toContain(value);
          for (const part of token.split('.')) expect(line).not.toContain(part);
          if (accepted) expect(line).toContain('token=[REDACTED]');
          // The property is not empty: every percent-spelling of the name alone is accepted.
          if (!repeat && decodeURIComponent(name) === 'token' && !/[+[\]]/.test(name)) expect(accepted).toBe(true);
        },
      ),
      { numRuns: 500 },
    );
  });
});
