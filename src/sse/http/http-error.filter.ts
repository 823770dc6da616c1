import { ArgumentsHost, Catch, HttpException, Logger, type ExceptionFilter } from '@nestjs/common';
import type { ServerResponse } from 'node:http';
import { SseError } from '../errors/sse.error.js';
import { errorBody, sendError } from './error-body.js';

/**
 * Every error of the HTTP API becomes a JSON answer saying what is wrong: the module's own
 * errors with their status and headers, Nest's HTTP exceptions as they are, anything else
 * as a logged 500 that reveals nothing.
 */
@Catch()
export class SseHttpErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('SseHttp');

  catch(exception: unknown, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<ServerResponse>();
    if (response.headersSent) {
      this.logger.error(`error after the answer started: ${describe(exception)}`);
      if (!response.writableEnded) response.end();
      return;
    }
    if (exception instanceof SseError) {
      for (const [name, value] of Object.entries(exception.headers ?? {})) response.setHeader(name, value);
      return sendError(response, exception.status, exception.message);
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const body = exception.getResponse();
      const message = typeof body === 'string' ? body : ((body as { message?: unknown }).message ?? exception.message);
      return sendError(response, status, Array.isArray(message) ? message.join('; ') : String(message));
    }
    this.logger.error(exception instanceof Error ? (exception.stack ?? `${exception.name}: ${exception.message}`) : describe(exception));
    sendError(response, 500, errorBody(500, 'internal error').message);
  }
}

function describe(exception: unknown): string {
  return exception instanceof Error ? `${exception.name}: ${exception.message}` : String(exception);
}
