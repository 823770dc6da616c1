import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AppModule } from './app.module';
import { readConfig } from './orders.config';

const logger = new Logger('Orders');

async function bootstrap(): Promise<void> {
  const config = readConfig(process.env);
  const app = await NestFactory.create(AppModule.forRoot(config));
  // SIGTERM closes the application (the module ends its streams, each client told when to
  // come back) and then exits with 0.
  app.enableShutdownHooks(['SIGTERM', 'SIGINT'], { useProcessExit: true });
  await app.listen(config.port, config.host ?? '0.0.0.0');
  logger.log(`listening on ${await app.getUrl()}`);
}

bootstrap().catch((error: unknown) => {
  logger.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
});
