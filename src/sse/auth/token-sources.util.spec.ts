import type { IncomingMessage } from 'node:http';
import { findToken, readCookie } from './token-sources.util.js';
import { UnauthorizedError } from './unauthorized.error.js';

const request = (headers: Record<string, string>, query: Record<string, unknown> = {}) =>
  ({ headers, query }) as unknown as IncomingMessage & { query: Record<string, unknown> };
const ALL = ['header', 'query', 'cookie'] as const;

describe('findToken', () => {
  it('takes the header first, then the query, then the cookie', () => {
    const all = request({ authorization: 'Bearer h', cookie: 'sse_token=c' }, { token: 'q' });
    expect(findToken(all, ALL)).toEqual({ token: 'h', source: 'header' });
    expect(findToken(request({ cookie: 'sse_token=c' }, { token: 'q' }), ALL)).toEqual({ token: 'q', source: 'query' });
    expect(findToken(request({ cookie: 'a=1; sse_token=c' }), ALL)).toEqual({ token: 'c', source: 'cookie' });
  });

  it('looks only where the route allows', () => {
    const all = request({ cookie: 'sse_token=c' }, { token: 'q' });
    expect(findToken(all, ['header'])).toBeUndefined();
    expect(findToken(all, ['header', 'cookie'])).toEqual({ token: 'c', source: 'cookie' });
  });

  it('reads bearer case-insensitively, ignores other schemes, and keeps an empty bearer as a bad token', () => {
    expect(findToken(request({ authorization: 'bearer  abc ' }), ALL)).toEqual({ token: 'abc', source: 'header' });
    expect(findToken(request({ authorization: 'Basic YTpi' }), ALL)).toBeUndefined();
    expect(findToken(request({ authorization: 'Bearer' }), ALL)).toEqual({ token: '', source: 'header' });
    expect(findToken(request({ authorization: 'Bearer a b' }), ALL)).toBeUndefined();
  });

  it('refuses several ?token= at once', () => {
    expect(() => findToken(request({}, { token: ['a', 'b'] }), ALL)).toThrow(UnauthorizedError);
    expect(() => findToken(request({}, { token: { nested: 'x' } }), ALL)).toThrow(UnauthorizedError);
  });
});

describe('readCookie', () => {
  it('finds the first cookie of a name, unquoted and decoded', () => {
    expect(readCookie('a=1; sse_token="x%20y"; sse_token=z', 'sse_token')).toBe('x y');
    expect(readCookie('xsse_token=1; sse_token_2=2', 'sse_token')).toBeUndefined();
    expect(readCookie('sse_token=%E0%A4%A', 'sse_token')).toBe('%E0%A4%A');
    expect(readCookie(undefined, 'sse_token')).toBeUndefined();
  });
});
