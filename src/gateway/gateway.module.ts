import { Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
<<<<<<< HEAD
import { ClusterController } from './cluster/cluster.controller.js';
=======
import { DemoModule } from './demo/demo.module.js';
>>>>>>> clients
import { HealthController } from './health/health.controller.js';
import { HttpErrorFilter } from './http/http-error.filter.js';
import { PublishController } from './publish/publish.controller.js';
import { StreamController } from './stream/stream.controller.js';
import { SyncController } from './sync/sync.controller.js';

/** The gateway's HTTP API on top of the SSE module (README: HTTP API). */
@Module({
<<<<<<< HEAD
  controllers: [StreamController, PublishController, SyncController, HealthController, ClusterController],
=======
  imports: [DemoModule],
  controllers: [StreamController, PublishController, SyncController, HealthController],
>>>>>>> clients
  providers: [{ provide: APP_FILTER, useClass: HttpErrorFilter }],
})
export class GatewayModule {}
