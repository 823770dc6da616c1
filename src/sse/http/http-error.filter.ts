import { ArgumentsHost, Catch, HttpException, Logger, type ExceptionFilter } from '@nestjs/common';
import type { ServerResponse } from 'node:http';
import { SseError } from '../errors/sse.error.js';
import { sendError } from '../errors/error-body.js';

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
      this.logFailure('error after the answer started', exception);
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
    this.logFailure('unhandled error, answered 500', exception);
    sendError(response, 500, 'internal error');
  }

  /** An `Error` goes to the logger whole (its stack and cause printed by the logger), anything else described. */
  private logFailure(message: string, thrown: unknown): void {
    if (thrown instanceof Error) this.logger.error(message, thrown);
    else this.logger.error(`${message} (a non-Error value was thrown: ${String(thrown)})`);
  }
}
