import { Module } from '@nestjs/common';
import { ClusterController } from './cluster/cluster.controller.js';
import { DemoModule } from './demo/demo.module.js';
import { HealthController } from './health/health.controller.js';

/** The gateway's own routes beside the module's HTTP API: health, the cluster view, the demo page. */
@Module({
  imports: [DemoModule],
  controllers: [HealthController, ClusterController],
})
export class GatewayModule {}
