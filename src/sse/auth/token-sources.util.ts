import type { IncomingMessage } from 'node:http';
import { tokenAmbiguous } from './auth.messages.js';
import { UnauthorizedError } from './unauthorized.error.js';

/** Where a request may carry its token. EventSource cannot set headers, so streams take all three. */
export type TokenSource = 'header' | 'query' | 'cookie';

/** The HttpOnly cookie a stream's token may come in. */
export const TOKEN_COOKIE = 'sse_token';
/** The query parameter a stream's token may come in (redacted from every log line). */
export const TOKEN_QUERY = 'token';

export interface FoundToken {
  readonly token: string;
  readonly source: TokenSource;
}

type RequestWithQuery = IncomingMessage & { query?: Record<string, unknown> };

/**
 * The token of a request, from the first of `sources` that carries one, in the order
 * header, query, cookie: the first present decides (a bad one is not skipped for the next).
 */
export function findToken(request: RequestWithQuery, sources: readonly TokenSource[]): FoundToken | undefined {
  if (sources.includes('header')) {
    const header = request.headers.authorization;
    if (typeof header === 'string' && header.trim() !== '') {
      const match = /^Bearer(?:[ \t]+(\S*))?[ \t]*$/i.exec(header);
      // Another scheme (Basic…) carries no bearer token; an empty one is a bad token.
      if (match) return { token: match[1] ?? '', source: 'header' };
    }
  }
  if (sources.includes('query')) {
    const value = request.query?.[TOKEN_QUERY];
    if (Array.isArray(value) || (value !== undefined && typeof value !== 'string')) {
      throw new UnauthorizedError(tokenAmbiguous, true);
    }
    if (typeof value === 'string') return { token: value, source: 'query' };
  }
  if (sources.includes('cookie')) {
    const token = readCookie(request.headers.cookie, TOKEN_COOKIE);
    if (token !== undefined) return { token, source: 'cookie' };
  }
  return undefined;
}

/** One cookie's value from a `Cookie` header (the first of that name). */
export function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0 || part.slice(0, eq).trim() !== name) continue;
    let value = part.slice(eq + 1).trim();
    if (value.startsWith('"') && value.endsWith('"') && value.length >= 2) value = value.slice(1, -1);
    try {
      return decodeURIComponent(value);
    } catch {
      return value;
    }
  }
  return undefined;
}
