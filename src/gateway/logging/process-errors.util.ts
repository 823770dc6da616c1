import type { LoggerService } from '@nestjs/common';
import { logFailure } from './log-failure.util.js';
import { uncaughtException, unhandledRejection } from './logging.messages.js';

/**
 * An uncaught exception or unhandled rejection ends the process with exit code 1, as Node's
 * defaults do, but is logged through `logger` first: redacted and in the configured format
 * (Node's own report is plain text on stderr, which would break a JSON log stream).
 */
export function exitOnProcessErrors(logger: LoggerService): void {
  const end = (message: string, thrown: unknown) => {
    try {
      logFailure(logger, message, thrown, 'fatal');
    } finally {
      process.exit(1);
    }
  };
  process.on('uncaughtException', (error) => end(uncaughtException, error));
  process.on('unhandledRejection', (reason) => end(unhandledRejection, reason));
}
