import { ConsoleLogger, type LogLevel } from '@nestjs/common';
import { redactSecrets } from './redact.util.js';

const redactValue = (value: unknown): unknown =>
  typeof value === 'string' ? redactSecrets(value) : value instanceof Error ? redactError(value) : value;

function redactError(error: Error): Error {
  const copy = new Error(redactSecrets(error.message));
  copy.name = error.name;
  copy.stack = error.stack === undefined ? undefined : redactSecrets(error.stack);
  return copy;
}

/** Nest's console logger with every token removed from every line it prints. */
export class RedactingLogger extends ConsoleLogger {
  protected override printMessages(
    messages: unknown[],
    context?: string,
    logLevel?: LogLevel,
    writeStreamType?: 'stdout' | 'stderr',
    errorStack?: unknown,
    params?: Record<string, any>,
  ): void {
    super.printMessages(messages.map(redactValue), context, logLevel, writeStreamType, redactValue(errorStack), params);
  }

  protected override printStackTrace(stack: string): void {
    super.printStackTrace(redactSecrets(stack));
  }
}
