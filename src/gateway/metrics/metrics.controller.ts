import { Controller, Get, Inject, NotFoundException, Res } from '@nestjs/common';
import type { Response } from 'express';
import type { Registry } from 'prom-client';
import { SSE_METRICS_REGISTRY } from '../../sse/internals.js';

/**
 * `GET /metrics`: the module's series and Node's default metrics in the Prometheus text
 * format (README: Observability / Metrics). Like `/health`, it asks for no token: keep it
 * on the network your Prometheus scrapes from.
 */
@Controller('metrics')
export class MetricsController {
  constructor(@Inject(SSE_METRICS_REGISTRY) private readonly registry: Registry | null) {}

  @Get()
  async metrics(@Res() response: Response): Promise<void> {
    if (!this.registry) throw new NotFoundException();
    const text = await this.registry.metrics();
    response.status(200).set({ 'Content-Type': this.registry.contentType, 'Cache-Control': 'no-store' }).send(text);
  }
}
