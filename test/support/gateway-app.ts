import type { INestApplication } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Test } from '@nestjs/testing';
import type { AddressInfo } from 'node:net';
import { AppModule } from '../../src/app.module.js';
import { loadGatewayConfig, type GatewayConfig } from '../../src/config/gateway.config.js';
import { configureGatewayApp } from '../../src/gateway/gateway.app.js';
import { SseExpressAdapter } from '../../src/sse/index.js';

export interface TestGateway {
  readonly app: INestApplication;
  readonly config: GatewayConfig;
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  close(): Promise<void>;
}

/**
 * The gateway as `main.ts` builds it, in this process, on a free loopback port. `env` is
 * read like the real environment (so the tests go through the same validation).
 */
export async function startGateway(env: Record<string, string> = {}): Promise<TestGateway> {
  const config = loadGatewayConfig({ HOST: '127.0.0.1', PORT: '0', ...env });
  const moduleRef = await Test.createTestingModule({ imports: [AppModule.forRoot(config)] }).compile();
  const app = moduleRef.createNestApplication<NestExpressApplication>(new SseExpressAdapter(), { bodyParser: false, logger: ['error'] });
  configureGatewayApp(app, config);
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as AddressInfo;
  return { app, config, url: `http://127.0.0.1:${port}`, close: () => app.close() };
}
