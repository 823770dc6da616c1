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
}
