import { Module } from '@nestjs/common';
import { EventLoopMonitor } from './event-loop-monitor.service.js';
import { HealthController } from './health.controller.js';

/** `/health`, `/health/live`, `/health/ready`, and the event loop watch liveness reads. */
@Module({
  controllers: [HealthController],
  providers: [EventLoopMonitor],
})
export class HealthModule {}
