import { Module, type DynamicModule } from '@nestjs/common';
import type { GatewayConfig } from './config/gateway.config.js';
import { GatewayModule } from './gateway/gateway.module.js';
import { GATEWAY_CONFIG } from './gateway/gateway.tokens.js';
import { MetricsModule } from './gateway/metrics/metrics.module.js';
import { SseModule } from './sse/index.js';

/**
 * The ready-to-run gateway: the SSE module with its HTTP API, configured from the
 * environment (its options passed through whole), and the gateway's own operational routes
 * (`GET /metrics` while the module's metrics are on).
 */
@Module({})
export class AppModule {
  static forRoot(config: GatewayConfig): DynamicModule {
    return {
      module: AppModule,
      global: true,
      imports: [SseModule.forRoot(config.sse), GatewayModule, ...(config.sse.metrics ? [MetricsModule] : [])],
      providers: [{ provide: GATEWAY_CONFIG, useValue: config }],
      exports: [GATEWAY_CONFIG],
    };
  }
}
