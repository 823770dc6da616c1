import { Controller, Get } from '@nestjs/common';
import { Rebalancer, type InstancePresence } from '../../sse/internals.js';
import { ApiClusterRoutes, ApiClusterView } from '../docs/gateway-api.decorator.js';

export interface ClusterView {
  readonly self: string;
  readonly instances: readonly (InstancePresence & { readonly self: boolean })[];
  readonly total: number;
  readonly mean: number;
  /** Largest count over smallest (1 is perfectly even; null with an empty instance). */
  readonly spread: number | null;
  /** Streams this instance has moved away to even out the cluster since it started. */
  readonly shedByThisInstance: number;
}

/** `GET /cluster`: the live instances and the streams each holds, as this instance sees them. */
@Controller('cluster')
@ApiClusterRoutes()
export class ClusterController {
  constructor(private readonly rebalancer: Rebalancer) {}

  @Get()
  @ApiClusterView()
  view(): ClusterView {
    const { self, instances, shed } = this.rebalancer.view();
    const counts = instances.map((i) => i.connections);
    const total = counts.reduce((a, b) => a + b, 0);
    const min = Math.min(...counts);
    return {
      self,
      instances: instances.map((i) => ({ ...i, self: i.id === self })),
      total,
      mean: total / instances.length,
      spread: min > 0 ? Math.max(...counts) / min : null,
      shedByThisInstance: shed,
    };
  }
}
