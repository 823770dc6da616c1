import { Logger } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import type { ClientAddressResolver } from '../../sse/internals.js';
import { accessLogTarget } from './access-log-target.util.js';

/**
 * One line per request when it ends: client, method, path and query with every credential
 * parameter redacted (as the gateway decoded it: `accessLogTarget`), status, duration.
 * Headers are never logged. The logger redacts the line once more (JWT shapes anywhere).
 */
export function accessLogMiddleware(addresses: ClientAddressResolver) {
  const logger = new Logger('Access');
  return (request: Request, response: Response, next: NextFunction): void => {
    const started = Date.now();
    const client = addresses.resolve(request);
    // Taken now, before any router rewrites `request.url` (Express parses `query` from it).
    const target = accessLogTarget(request.originalUrl, request.query);
    response.once('close', () => {
      const status = response.headersSent ? response.statusCode : 0;
      logger.log(`${client} ${request.method} ${target} ${status} ${Date.now() - started}ms`);
    });
    next();
  };
}
