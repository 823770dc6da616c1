import { Controller, Get, Inject, Res } from '@nestjs/common';
import type { Response } from 'express';
import { Broker, ConnectionRegistry, type BrokerHealth } from '../../sse/internals.js';
import type { GatewayConfig } from '../../config/gateway.config.js';
import { GATEWAY_CONFIG } from '../gateway.tokens.js';

/** Liveness and readiness for load balancers: 503 while the broker is unreachable or while draining. */
@Controller('health')
export class HealthController {
  constructor(
    @Inject(Broker) private readonly broker: Broker & Partial<BrokerHealth>,
    private readonly connections: ConnectionRegistry,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
  ) {}

  @Get()
  async health(@Res() response: Response): Promise<void> {
    const brokerUp = this.broker.ping ? await this.broker.ping().then(() => true, () => false) : true;
    const stats = this.connections.stats();
    const up = brokerUp && !stats.draining;
    response.status(up ? 200 : 503).json({
      status: up ? 'ok' : 'unavailable',
      instance: this.config.instanceId,
      broker: { kind: this.config.sse.redis ? 'redis' : 'memory', up: brokerUp },
      connections: stats,
    });
  }
}
