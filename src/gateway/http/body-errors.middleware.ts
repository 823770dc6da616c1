import type { NextFunction, Request, Response } from 'express';
import { bodyTooLarge } from './body-limit.middleware.js';
import { errorBody } from './error-body.js';

interface BodyParserError extends Error {
  status?: number;
  statusCode?: number;
  type?: string;
  limit?: number;
  length?: number;
}

/**
 * Express error handler placed right after the JSON body parser: its failures happen
 * before Nest's filters can see them, and would otherwise be answered in HTML.
 */
export function bodyErrorsMiddleware(maxBytes: number) {
  return (error: BodyParserError, _request: Request, response: Response, next: NextFunction): void => {
    if (response.headersSent) return next(error);
    switch (error.type) {
      case 'entity.too.large':
        response.status(413).json(errorBody(413, bodyTooLarge(maxBytes)));
        return;
      case 'entity.parse.failed':
        response.status(400).json(errorBody(400, `the body is not valid JSON: ${error.message}`));
        return;
      case 'encoding.unsupported':
      case 'charset.unsupported':
        response.status(415).json(errorBody(415, error.message));
        return;
      case 'request.aborted':
        return;
      default: {
        const status = error.status ?? error.statusCode ?? 500;
        response.status(status).json(errorBody(status, status < 500 ? error.message : 'internal error'));
      }
    }
  };
}
