import { ArgumentsHost, Catch, HttpException, Logger, type ExceptionFilter } from '@nestjs/common';
import type { Response } from 'express';
import { SseError, StreamRefusedError } from '../../sse/index.js';
import { logFailure } from '../logging/log-failure.util.js';
import { errorAfterAnswerStarted, unhandledRequestError } from '../logging/logging.messages.js';
import { errorBody } from './error-body.js';

/**
 * Every error becomes a JSON answer saying what is wrong: the module's own errors with
 * their status, Nest's HTTP exceptions as they are, anything else as a logged 500 that
 * reveals nothing.
 */
@Catch()
export class HttpErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('HttpErrorFilter');

  catch(exception: unknown, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<Response>();
    if (response.headersSent) {
      logFailure(this.logger, errorAfterAnswerStarted, exception);
      if (!response.writableEnded) response.end();
      return;
    }
    if (exception instanceof StreamRefusedError) {
      response.setHeader('Retry-After', String(exception.retryAfterSeconds));
    }
    if (exception instanceof SseError) {
      // Errors of the gateway's own layers (auth, limits) carry their headers (WWW-Authenticate, Retry-After).
      const headers = (exception as { headers?: Readonly<Record<string, string>> }).headers;
      for (const [name, value] of Object.entries(headers ?? {})) response.setHeader(name, value);
      response.status(exception.status).json(errorBody(exception.status, exception.message));
      return;
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const body = exception.getResponse();
      const message = typeof body === 'string' ? body : ((body as { message?: unknown }).message ?? exception.message);
      response.status(status).json(errorBody(status, Array.isArray(message) ? message.join('; ') : String(message)));
      return;
    }
    logFailure(this.logger, unhandledRequestError, exception);
    response.status(500).json(errorBody(500, 'internal error'));
  }
}
