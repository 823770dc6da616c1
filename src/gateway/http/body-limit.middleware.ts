import type { NextFunction, Request, Response } from 'express';
import { errorBody } from './error-body.js';

export const bodyTooLarge = (maxBytes: number) => `the body is larger than the ${maxBytes} bytes accepted`;

/**
 * Answers 413 at once when `Content-Length` already says the body is too large. The JSON
 * parser would answer the same, but only after reading (and dropping) the whole body.
 */
export function bodyLimitMiddleware(maxBytes: number) {
  return (request: Request, response: Response, next: NextFunction): void => {
    const length = Number(request.headers['content-length']);
    if (!(length > maxBytes)) return next();
    // The unread body cannot be skipped on a kept-alive connection: close it after the answer.
    response.setHeader('Connection', 'close');
    response.status(413).json(errorBody(413, bodyTooLarge(maxBytes)));
  };
}
