import { inspect, types } from 'node:util';
import { TOKEN_COOKIE, TOKEN_QUERY } from '../../sse/internals.js';
import { isCredentialName, redactLogValue, redactSecrets } from './redact.util.js';

const JWT = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJlLXNpZ25hdHVyZQ';

describe('redactSecrets', () => {
  it('redacts tokens in query strings, keeping the rest of the URL', () => {
    expect(redactSecrets(`GET /channels/a/events?lastEventId=1-0.x&token=${JWT}&b=2`)).toBe(
      'GET /channels/a/events?lastEventId=1-0.x&token=[REDACTED]&b=2',
    );
    expect(redactSecrets('/events?token=opaque-secret')).toBe('/events?token=[REDACTED]');
    expect(redactSecrets('/x?access_token=abc def')).toBe('/x?access_token=[REDACTED] def');
    expect(redactSecrets('/x?TOKEN=abc')).toBe('/x?TOKEN=[REDACTED]');
    expect(redactSecrets('/x?a=1&token[]=abc&Id_Token=def')).toBe('/x?a=1&token[]=[REDACTED]&Id_Token=[REDACTED]');
  });

  it('redacts bearer credentials in any case and spacing, the token cookie however spaced or quoted, and bare JWTs', () => {
    expect(redactSecrets('authorization: Bearer abc.def-ghi')).toBe('authorization: Bearer [REDACTED]');
    expect(redactSecrets('Authorization: bEaReR\tabc%2Edef')).toBe('Authorization: bEaReR\t[REDACTED]');
    expect(redactSecrets('cookie: a=1; sse_token=xyz; b=2')).toBe('cookie: a=1; sse_token=[REDACTED]; b=2');
    expect(redactSecrets('cookie: a=1;sse_token = "x y z" ;b=2')).toBe('cookie: a=1;sse_token = [REDACTED] ;b=2');
    expect(redactSecrets(`failed for ${JWT}!`)).toBe('failed for [REDACTED-JWT]!');
    expect(redactSecrets(`cut ${JWT.slice(0, 30)}`)).toBe('cut [REDACTED-JWT]');
  });

  it('leaves text without secrets alone', () => {
    const line = 'instance gw-1 listening on 127.0.0.1:3000 (in-memory broker) ?lastEventId=5&channel=a.b';
    expect(redactSecrets(line)).toBe(line);
  });

  it('is idempotent', () => {
    const once = redactSecrets(`?token=${JWT}; sse_token=1 Bearer x ${JWT}`);
    expect(redactSecrets(once)).toBe(once);
  });
});

describe('isCredentialName', () => {
  it('covers every name the gateway reads a token from, in any spelling the query parser leaves', () => {
    for (const name of [TOKEN_QUERY, TOKEN_COOKIE, 'authorization', 'Authorization', 'TOKEN', ' token', 'token ', 'token[]', 'to ken', 'access_token', 'id-token', 'jwt', 'apiKey', 'password']) {
      expect([name, isCredentialName(name)]).toEqual([name, true]);
    }
  });

  it('leaves the gateway’s ordinary parameters alone', () => {
    for (const name of ['channel', 'lastEventId', 'after', 'limit', 'event', 'data', 'id']) {
      expect([name, isCredentialName(name)]).toEqual([name, false]);
    }
  });
});

describe('redactLogValue', () => {
  it('redacts strings, and objects and arrays field by field without touching the original', () => {
    const original = { url: `/x?token=${JWT}`, nested: [{ authorization: 'Bearer abc', note: 'ok' }], token: 42, count: 3 };
    const copy = structuredClone(original);
    expect(redactLogValue(original)).toEqual({
      url: '/x?token=[REDACTED]',
      nested: [{ authorization: '[REDACTED]', note: 'ok' }],
      token: '[REDACTED]',
      count: 3,
    });
    expect(original).toEqual(copy);
    expect(redactLogValue(`Bearer ${JWT}`)).toBe('Bearer [REDACTED]');
    expect(redactLogValue(undefined)).toBeUndefined();
    expect(redactLogValue(7)).toBe(7);
  });

  it('copes with cycles', () => {
    const looped: Record<string, unknown> = { secret: 'x' };
    looped.self = looped;
    const out = redactLogValue(looped) as Record<string, unknown>;
    expect(out.secret).toBe('[REDACTED]');
    expect(out.self).toBe(out);
  });

  it('copies errors as the same class, redacting message, stack, cause and own fields', () => {
    class UpstreamError extends Error {
      override name = 'UpstreamError';
      code = 'E_UP';
      header = `Bearer ${JWT}`;
    }
    const cause = new Error(`refused ?token=${JWT}`);
    const error = new UpstreamError(`call with ${JWT} failed`, { cause });
    const out = redactLogValue(error) as UpstreamError;
    expect(out).toBeInstanceOf(UpstreamError);
    expect(out).not.toBe(error);
    expect(out.name).toBe('UpstreamError');
    expect(out.code).toBe('E_UP');
    expect(out.message).toBe('call with [REDACTED-JWT] failed');
    expect(out.stack).toContain('UpstreamError: call with [REDACTED-JWT] failed');
    expect(out.header).toBe('Bearer [REDACTED]');
    expect((out.cause as Error).message).toBe('refused ?token=[REDACTED]');
    // Still a real error to util.inspect (Nest's text format): stack, fields and cause print.
    expect(types.isNativeError(out)).toBe(true);
    expect(inspect(out)).toMatch(/^UpstreamError: call with \[REDACTED-JWT\] failed\n\s+at /);
    expect(inspect(out)).toContain("code: 'E_UP'");
    expect(inspect(out)).toContain('[cause]: Error: refused ?token=[REDACTED]');
    expect(inspect(out)).not.toContain(JWT.slice(40));
    expect(error.message).toContain(JWT);
    // Enumerability is kept, so the copy prints as the original does.
    expect(Object.keys(out)).toEqual(Object.keys(error));
  });

  it('copies an error without a stack', () => {
    const error = new Error('no stack here');
    delete (error as { stack?: string }).stack;
    const out = redactLogValue(error) as Error;
    expect(out.message).toBe('no stack here');
    expect(out.stack).toBeUndefined();
    expect(inspect(out)).toContain('no stack here');
  });
});

describe('redactLogValue, what it leaves alone', () => {
  it('returns class instances, maps and functions as they are', () => {
    class Thing {
      token = 'kept: not a plain object';
    }
    const thing = new Thing();
    const map = new Map([['token', 'x']]);
    const fn = () => 1;
    expect(redactLogValue(thing)).toBe(thing);
    expect(redactLogValue(map)).toBe(map);
    expect(redactLogValue(fn)).toBe(fn);
    expect(redactLogValue(Object.assign(Object.create(null), { token: 'x' }))).toEqual({ token: '[REDACTED]' });
  });
});
