import { Controller, Get, Inject, Res } from '@nestjs/common';
import type { Response } from 'express';
import { Broker, ConnectionRegistry, type BrokerHealth } from '../../sse/internals.js';
import type { GatewayConfig } from '../../config/gateway.config.js';
import { ApiHealth, ApiHealthRoutes, ApiLiveness, ApiReadiness } from '../docs/gateway-api.decorator.js';
import { GATEWAY_CONFIG } from '../gateway.tokens.js';
import { EventLoopMonitor } from './event-loop-monitor.service.js';

/**
 * Health for load balancers and orchestrators (README: Health):
 * - `GET /health`: readiness with the stream counts (what the shipped balancer configs poll);
 * - `GET /health/live`: the process serves requests and its event loop has not stalled
 *   past `SSE_LIVENESS_MAX_DELAY_MS` lately; never asks Redis, so a Redis outage restarts nothing;
 * - `GET /health/ready`: the broker answers and the instance is not draining.
 * Each answers 200 or 503 with a small JSON body.
 */
@Controller('health')
@ApiHealthRoutes()
export class HealthController {
  constructor(
    @Inject(Broker) private readonly broker: Broker & Partial<BrokerHealth>,
    private readonly connections: ConnectionRegistry,
    private readonly eventLoop: EventLoopMonitor,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
  ) {}

  @Get()
  @ApiHealth()
  async health(@Res() response: Response): Promise<void> {
    const brokerUp = await this.brokerUp();
    const stats = this.connections.stats();
    const up = brokerUp && !stats.draining;
    response.status(up ? 200 : 503).json({
      status: up ? 'ok' : 'unavailable',
      instance: this.config.instanceId,
      broker: { kind: this.brokerKind(), up: brokerUp },
      connections: stats,
    });
  }

  /** `200 {"status": "ok", ...}`, or `503 {"status": "wedged", ...}` after a recent stall. */
  @Get('live')
  @ApiLiveness()
  live(@Res() response: Response): void {
    const eventLoop = this.eventLoop.report();
    response.status(eventLoop.wedged ? 503 : 200).json({
      status: eventLoop.wedged ? 'wedged' : 'ok',
      instance: this.config.instanceId,
      eventLoop: { maxDelayMs: eventLoop.maxDelayMs, limitMs: eventLoop.limitMs },
    });
  }

  /** `200 {"status": "ready", ...}`, or `503 {"status": "unavailable", ...}` with the reason in its fields. */
  @Get('ready')
  @ApiReadiness()
  async ready(@Res() response: Response): Promise<void> {
    const brokerUp = await this.brokerUp();
    const { draining } = this.connections.stats();
    const ready = brokerUp && !draining;
    response.status(ready ? 200 : 503).json({
      status: ready ? 'ready' : 'unavailable',
      instance: this.config.instanceId,
      broker: { kind: this.brokerKind(), up: brokerUp },
      draining,
    });
  }

  /** One PING, bounded by the broker's command timeout (`SSE_PUBLISH_TIMEOUT_MS`). */
  private brokerUp(): Promise<boolean> {
    return this.broker.ping ? this.broker.ping().then(() => true, () => false) : Promise.resolve(true);
  }

  private brokerKind(): 'redis' | 'memory' {
    return this.config.sse.redis ? 'redis' : 'memory';
  }
}
