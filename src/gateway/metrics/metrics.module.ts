import { Module } from '@nestjs/common';
import { MetricsController } from './metrics.controller.js';

/** `GET /metrics`, imported only when the module's metrics are on (`SSE_METRICS`, default true). */
@Module({
  controllers: [MetricsController],
})
export class MetricsModule {}
