import { ApiProperty, ApiSchema } from '@nestjs/swagger';

// The answer of GET /cluster (../cluster/cluster.controller.ts), for the API document.

@ApiSchema({ name: 'ClusterInstance' })
export class ClusterInstanceSchema {
  @ApiProperty({ description: 'Its INSTANCE_ID.', example: 'gw-1' })
  readonly id!: string;

  @ApiProperty({ type: 'integer', minimum: 0, description: 'Streams it holds, as it last reported.' })
  readonly connections!: number;

  @ApiProperty({ type: 'integer', description: 'When it last reported, ms since the Unix epoch (reports expire after 3 SSE_PRESENCE_INTERVAL_MS).' })
  readonly seenAt!: number;

  @ApiProperty({ description: 'It is the instance that answered.' })
  readonly self!: boolean;

  @ApiProperty({ type: 'number', minimum: 0, description: 'Live events written to its subscribers per second, over its last report interval.' })
  readonly deliveryRate!: number;

  @ApiProperty({ type: 'number', nullable: true, description: 'Mean time from an event\'s store to its fan-out there, ms, in that interval; `null` without events.' })
  readonly lagMs!: number | null;

  @ApiProperty({ type: 'number', nullable: true, description: 'Longest such time, ms; `null` without events.' })
  readonly lagMaxMs!: number | null;
}

@ApiSchema({ name: 'ClusterRebalancing' })
export class ClusterRebalancingSchema {
  @ApiProperty({ enum: ['off', 'idle', 'shedding', 'paused'], description: 'off: SSE_REBALANCE_RATIO=0; paused: shedding had no effect (its clients came back), so it waits.' })
  readonly state!: string;

  @ApiProperty({ type: 'integer', nullable: true, description: 'Until when it pauses, ms since the Unix epoch.' })
  readonly pausedUntil!: number | null;

  @ApiProperty({ type: 'integer', minimum: 0, description: 'Pauses in a row.' })
  readonly backoffs!: number;
}

@ApiSchema({ name: 'ClusterView', description: 'The live instances and the streams each holds, as the answering instance sees them.' })
export class ClusterViewSchema {
  @ApiProperty({ description: 'The answering instance.', example: 'gw-1' })
  readonly self!: string;

  @ApiProperty({ type: [ClusterInstanceSchema] })
  readonly instances!: ClusterInstanceSchema[];

  @ApiProperty({ type: 'integer', minimum: 0, description: 'Streams over every instance.' })
  readonly total!: number;

  @ApiProperty({ type: 'number', description: 'Streams per instance.' })
  readonly mean!: number;

  @ApiProperty({ type: 'number', nullable: true, description: 'Largest count over smallest (1 is perfectly even); `null` while an instance holds none.' })
  readonly spread!: number | null;

  @ApiProperty({ type: 'integer', minimum: 0, description: 'Streams this instance has moved away to even out the cluster since it started.' })
  readonly shedByThisInstance!: number;

  @ApiProperty({ type: 'number', minimum: 0, description: 'Live events written per second on all instances together.' })
  readonly deliveryRate!: number;

  @ApiProperty({ type: ClusterRebalancingSchema, description: 'This instance\'s rebalancing.' })
  readonly rebalancing!: ClusterRebalancingSchema;
}
