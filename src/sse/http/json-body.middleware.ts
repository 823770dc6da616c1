import bodyParser from 'body-parser';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { sendError } from '../errors/error-body.js';
import { bodyNotJson, bodyTooLarge, unsupportedMediaType } from './http.messages.js';

/** JSON, or any `application/*+json` type (RFC 6839); parameters such as `charset` aside. */
const JSON_TYPE = /^application\/([a-z0-9.+-]*\+)?json\s*(;|$)/i;

interface BodyParserError extends Error {
  status?: number;
  statusCode?: number;
  type?: string;
}

type Next = (error?: unknown) => void;

/**
 * The body of the API's POST routes, with a JSON answer for every way it can be wrong:
 * `415` for a body that says it is not JSON (no type at all is taken as JSON, as `curl -d`
 * sends), `413` at once when `Content-Length` already says it is too large (the JSON parser
 * would say so only after reading it all), `400` for malformed JSON. Parsed with
 * `body-parser`, Express' own; a body the host application parsed already is left as is.
 */
export function jsonBodyMiddleware(maxBytes: number) {
  const parse = bodyParser.json({ limit: maxBytes, type: () => true });
  return (request: IncomingMessage & { _body?: boolean }, response: ServerResponse, next: Next): void => {
    const type = request.headers['content-type'];
    if (type !== undefined && !JSON_TYPE.test(type)) return sendError(response, 415, unsupportedMediaType(type));
    if (Number(request.headers['content-length']) > maxBytes) {
      // The unread body cannot be skipped on a kept-alive connection: close it after the answer.
      response.setHeader('Connection', 'close');
      return sendError(response, 413, bodyTooLarge(maxBytes));
    }
    if (request._body) return next();
    parse(request, response, (error?: BodyParserError) => {
      if (!error) return next();
      if (response.headersSent || error.type === 'request.aborted') return;
      switch (error.type) {
        case 'entity.too.large':
          return sendError(response, 413, bodyTooLarge(maxBytes));
        case 'entity.parse.failed':
          return sendError(response, 400, bodyNotJson(error.message));
        case 'encoding.unsupported':
        case 'charset.unsupported':
          return sendError(response, 415, error.message);
        default: {
          const status = error.status ?? error.statusCode ?? 500;
          return sendError(response, status, status < 500 ? error.message : 'internal error');
        }
      }
    });
  };
}
