import { Module, type DynamicModule } from '@nestjs/common';
import type { GatewayConfig } from './config/gateway.config.js';
import { GatewayModule } from './gateway/gateway.module.js';
import { GATEWAY_CONFIG } from './gateway/gateway.tokens.js';
import { SseModule } from './sse/index.js';

/** The ready-to-run gateway: the SSE module configured from the environment, and its HTTP API. */
@Module({})
export class AppModule {
  static forRoot(config: GatewayConfig): DynamicModule {
    return {
      module: AppModule,
      global: true,
      imports: [
        SseModule.forRoot({
          redis: config.redisUrl,
          redisTls: config.redisConnection.tls,
          sentinelUsername: config.redisConnection.sentinelUsername,
          sentinelPassword: config.redisConnection.sentinelPassword,
          minReplicasAck: config.minReplicasAck,
          ackTimeoutMs: config.ackTimeoutMs,
          keyPrefix: config.keyPrefix,
          historyLimit: config.historyLimit,
          heartbeatMs: config.heartbeatMs,
          retryMs: config.retryMs,
          maxEventBytes: config.maxEventBytes,
          maxBufferBytes: config.maxBufferBytes,
          maxConnections: config.maxConnections,
          maxChannelsPerStream: config.maxChannelsPerStream,
          publishTimeoutMs: config.publishTimeoutMs,
          drainMs: config.drainMs,
          instanceId: config.instanceId,
          latestChannels: config.latestChannels,
          rebalanceRatio: config.rebalanceRatio,
          rebalanceRate: config.rebalanceRate,
          presenceIntervalMs: config.presenceIntervalMs,
        }),
        GatewayModule,
      ],
      providers: [{ provide: GATEWAY_CONFIG, useValue: config }],
      exports: [GATEWAY_CONFIG],
    };
  }
}
