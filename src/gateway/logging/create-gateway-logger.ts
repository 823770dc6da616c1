import { Logger } from '@nestjs/common';
import type { LoggingConfig } from '../../config/logging.config.js';
import { RedactingLogger } from './redacting.logger.js';

/**
 * The gateway process's logger, in the configured format and threshold, made the one every
 * `new Logger(context)` writes through (also before Nest starts). Pass it to
 * `NestFactory.create({ logger })` as well.
 */
export function createGatewayLogger(settings: { readonly logging: LoggingConfig; readonly instanceId: string }): RedactingLogger {
  const logger = new RedactingLogger({ ...settings.logging, instance: settings.instanceId });
  Logger.overrideLogger(logger);
  return logger;
}
