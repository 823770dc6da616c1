import type { NextFunction, Request, Response } from 'express';
import { errorBody } from '../../sse/internals.js';

export const CORS_ALLOWED_METHODS = 'GET, POST';
export const CORS_ALLOWED_HEADERS = 'Authorization, Content-Type, Last-Event-ID, Idempotency-Key, Cache-Control';
export const CORS_EXPOSED_HEADERS = 'X-Instance-Id, Retry-After, WWW-Authenticate';

/**
 * CORS for browsers on other origins, by allow-list (`SSE_CORS_ORIGINS`). A listed origin
 * gets itself back with credentials allowed (EventSource `withCredentials` and the
 * token cookie need both); `*` allows any origin without credentials. Preflights are
 * answered here: 204 for a listed origin, 403 for any other.
 */
export function corsMiddleware(origins: readonly string[]) {
  const any = origins.includes('*');
  const allowed = new Set(origins);
  return (request: Request, response: Response, next: NextFunction): void => {
    const origin = request.headers.origin;
    if (origins.length === 0 || origin === undefined) return next();
    response.vary('Origin');
    const preflight = request.method === 'OPTIONS' && request.headers['access-control-request-method'] !== undefined;
    if (!any && !allowed.has(origin)) {
      if (preflight) {
        response.status(403).json(errorBody(403, 'this origin is not allowed (SSE_CORS_ORIGINS)'));
        return;
      }
      return next(); // no CORS headers: the browser keeps the answer from the page
    }
    response.setHeader('Access-Control-Allow-Origin', any ? '*' : origin);
    if (!any) response.setHeader('Access-Control-Allow-Credentials', 'true');
    if (!preflight) {
      response.setHeader('Access-Control-Expose-Headers', CORS_EXPOSED_HEADERS);
      return next();
    }
    response.setHeader('Access-Control-Allow-Methods', CORS_ALLOWED_METHODS);
    response.setHeader('Access-Control-Allow-Headers', CORS_ALLOWED_HEADERS);
    response.setHeader('Access-Control-Max-Age', '600');
    response.vary('Access-Control-Request-Headers');
    response.status(204).end();
  };
}
