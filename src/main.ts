import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { AppModule } from './app.module.js';
import { ConfigError, loadGatewayConfig, type GatewayConfig } from './config/gateway.config.js';
import { redactUrl } from './config/redact-url.util.js';
import { configureGatewayApp } from './gateway/gateway.app.js';
import { RedactingLogger } from './gateway/http/redacting.logger.js';
import { SSE_DEFAULTS } from './sse/internals.js';

const logger = new Logger('Gateway');

function readConfig(): GatewayConfig {
  try {
    return loadGatewayConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
}

async function bootstrap(): Promise<void> {
  const config = readConfig();
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config), {
    bodyParser: false,
    logger: new RedactingLogger(),
  });
  configureGatewayApp(app, config);

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.log(`${signal}: closing streams and stopping`);
    // A hung close must not keep the process: the drain window plus a margin.
    setTimeout(() => process.exit(1), (config.sse.drainMs ?? SSE_DEFAULTS.drainMs) + 5_000).unref();
    app.close().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error(`shutdown failed: ${String(error)}`);
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));

  await app.listen(config.port, config.host);
  const { redis, http } = config.sse;
  const broker = redis ? `redis ${redactUrl(redis)}` : 'in-memory broker';
  const auth = http?.jwt ? '' : ', AUTHORIZATION OFF';
  logger.log(`instance ${config.instanceId} listening on ${config.host}:${config.port} (${broker}${auth})`);
}

bootstrap().catch((error: unknown) => {
  logger.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
  process.exit(1);
});
