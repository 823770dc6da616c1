import { Module } from '@nestjs/common';
import { ClusterController } from './cluster/cluster.controller.js';
import { DemoModule } from './demo/demo.module.js';
import { HealthModule } from './health/health.module.js';

/** The gateway's own routes beside the module's HTTP API: health, the cluster view, the demo page. */
@Module({
  imports: [DemoModule, HealthModule],
  controllers: [ClusterController],
})
export class GatewayModule {}
