import type { LoggerService } from '@nestjs/common';
import { inspect, types } from 'node:util';
import { nonErrorThrown } from './logging.messages.js';
import { redactLogValue } from './redact.util.js';

/**
 * Logs a failure under `message`, whatever was thrown: an `Error` goes to the logger whole
 * (the text format prints its stack and `cause`, JSON puts them in `error`; one without a
 * stack prints its name and message), any other value (`throw 'x'`, `reject(undefined)`)
 * is described in the line itself.
 */
export function logFailure(logger: LoggerService, message: string, thrown: unknown, level: 'error' | 'fatal' = 'error'): void {
  const write = level === 'fatal' && logger.fatal ? logger.fatal.bind(logger) : logger.error.bind(logger);
  if (types.isNativeError(thrown) || thrown instanceof Error) write(message, thrown);
  // Described here, so redacted here while its fields are still fields.
  else write(`${message} ${nonErrorThrown(inspect(redactLogValue(thrown), { depth: 3, breakLength: Infinity, compact: true }))}`);
}
