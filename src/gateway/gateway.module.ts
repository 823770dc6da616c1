import { Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { AuthModule } from './auth/auth.module.js';
import { ClusterController } from './cluster/cluster.controller.js';
import { DemoModule } from './demo/demo.module.js';
import { HealthModule } from './health/health.module.js';
import { HttpErrorFilter } from './http/http-error.filter.js';
import { LimitsModule } from './limits/limits.module.js';
import { PublishController } from './publish/publish.controller.js';
import { StreamController } from './stream/stream.controller.js';
import { SyncController } from './sync/sync.controller.js';

/** The gateway's HTTP API on top of the SSE module (README: HTTP API). */
@Module({
  imports: [AuthModule, LimitsModule, DemoModule, HealthModule],
  controllers: [StreamController, PublishController, SyncController, ClusterController],
  providers: [{ provide: APP_FILTER, useClass: HttpErrorFilter }],
})
export class GatewayModule {}
