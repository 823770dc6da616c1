import { Module, type DynamicModule } from '@nestjs/common';
import type { GatewayConfig } from './config/gateway.config.js';
import { GatewayModule } from './gateway/gateway.module.js';
import { GATEWAY_CONFIG } from './gateway/gateway.tokens.js';
import { SseModule } from './sse/index.js';

/**
 * The ready-to-run gateway: the SSE module with its HTTP API, configured from the
 * environment (its options passed through whole), and the gateway's own operational routes.
 */
@Module({})
export class AppModule {
  static forRoot(config: GatewayConfig): DynamicModule {
    return {
      module: AppModule,
      global: true,
      imports: [SseModule.forRoot(config.sse), GatewayModule],
      providers: [{ provide: GATEWAY_CONFIG, useValue: config }],
      exports: [GATEWAY_CONFIG],
    };
  }
}
