import { Logger } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import type { ClientAddressResolver } from '../../sse/internals.js';
import { redactSecrets } from './redact.util.js';

/** One line per request when it ends: method, URL without tokens, status, client, duration. */
export function accessLogMiddleware(addresses: ClientAddressResolver) {
  const logger = new Logger('Access');
  return (request: Request, response: Response, next: NextFunction): void => {
    const started = Date.now();
    const client = addresses.resolve(request);
    response.once('close', () => {
      const status = response.headersSent ? response.statusCode : 0;
      logger.log(redactSecrets(`${client} ${request.method} ${request.originalUrl} ${status} ${Date.now() - started}ms`));
    });
    next();
  };
}
