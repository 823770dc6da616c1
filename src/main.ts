#!/usr/bin/env node
import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import cluster from 'node:cluster';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { AppModule } from './app.module.js';
import { ConfigError, loadGatewayConfig, type GatewayConfig } from './config/gateway.config.js';
import { fallbackLogSettings } from './config/logging.config.js';
import { configureGatewayApp } from './gateway/gateway.app.js';
import { setupGatewayDocs } from './gateway/docs/gateway-docs.js';
import { createGatewayLogger } from './gateway/logging/create-gateway-logger.js';
import { logFailure } from './gateway/logging/log-failure.util.js';
import { setupSummary } from './gateway/logging/setup-summary.util.js';
import { shutdownFailed, startFailed } from './gateway/logging/logging.messages.js';
import { exitOnProcessErrors } from './gateway/logging/process-errors.util.js';
import { startPublishTransport } from './gateway/transport/publish-transport.js';
import { runWorkerPool } from './gateway/workers/worker-pool.js';
import { SSE_DEFAULTS, SseExpressAdapter } from './sse/internals.js';

// Writes through the gateway's logger once it exists (Logger delegates to the current one).
const logger = new Logger('Gateway');
exitOnProcessErrors(new Logger('Process'));

function readConfig(): GatewayConfig {
  try {
    return loadGatewayConfig();
  } catch (error) {
    createGatewayLogger(fallbackLogSettings());
    if (error instanceof ConfigError) new Logger('Config').error(error.message);
    else logFailure(logger, startFailed, error, 'fatal');
    process.exit(1);
  }
}

async function bootstrap(): Promise<void> {
  const config = readConfig();
  // SSE_WORKERS > 1: this process only runs the workers; each runs this file as one gateway.
  if (cluster.isPrimary && config.workers > 1) return runWorkerPool(config);
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config), new SseExpressAdapter(), {
    bodyParser: false,
    logger: createGatewayLogger(config),
  });
  configureGatewayApp(app, config);
  setupGatewayDocs(app, config);

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
        logFailure(logger, shutdownFailed, error);
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));

  await app.init();
  await startPublishTransport(app, config);
  try {
    await app.listen(config.port, config.host);
  } catch {
    // Nest has logged why (EADDRINUSE, EACCES…): one line is enough.
    process.exit(1);
  }
  // A worker's line leaves `listening on` to the pool's one line, logged once every worker is up.
  const ready = cluster.isWorker ? 'ready on' : 'listening on';
  logger.log(`instance ${config.instanceId} ${ready} ${config.host}:${config.port} (${setupSummary(config)})`);
}

bootstrap().catch((error: unknown) => {
  logFailure(logger, startFailed, error, 'fatal');
  process.exit(1);
});
