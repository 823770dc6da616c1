import { Module } from '@nestjs/common';
import { ClusterController } from './cluster/cluster.controller.js';
import { DemoModule } from './demo/demo.module.js';
import { HealthModule } from './health/health.module.js';
import { MemoryModule } from './memory/memory.module.js';

/**
 * The gateway's own routes beside the module's HTTP API (health, the cluster view, the demo
 * page) and its process concerns (memory).
 */
@Module({
  imports: [DemoModule, HealthModule, MemoryModule],
  controllers: [ClusterController],
})
export class GatewayModule {}
