import { ApiProperty, ApiSchema } from '@nestjs/swagger';

// The answers of /health, /health/live and /health/ready (../health/health.controller.ts), for the API document.

@ApiSchema({ name: 'BrokerHealth' })
export class BrokerHealthSchema {
  @ApiProperty({ enum: ['redis', 'memory'] })
  readonly kind!: 'redis' | 'memory';

  @ApiProperty({ description: 'The broker answered a PING within SSE_PUBLISH_TIMEOUT_MS (the memory broker always does).' })
  readonly up!: boolean;
}

@ApiSchema({ name: 'ConnectionStats', description: "This instance's streams." })
export class ConnectionStatsSchema {
  @ApiProperty({ type: 'integer', minimum: 0, description: 'Streams open now.' })
  readonly open!: number;

  @ApiProperty({ type: 'integer', minimum: 0, description: 'Streams opened since the start.' })
  readonly opened!: number;

  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'integer', minimum: 0 },
    description: 'Streams closed since the start, by reason (`client`, `slow-consumer`, `server`, `error`, `rebalanced`, …).',
    example: { client: 3, 'slow-consumer': 0, server: 0, error: 0, rebalanced: 1 },
  })
  readonly closed!: Record<string, number>;

  @ApiProperty({ description: 'SIGTERM started the drain: no new stream is taken.' })
  readonly draining!: boolean;
}

@ApiSchema({ name: 'HealthAnswer', description: '`GET /health`: readiness with the stream counts.' })
export class HealthAnswerSchema {
  @ApiProperty({ enum: ['ok', 'unavailable'] })
  readonly status!: 'ok' | 'unavailable';

  @ApiProperty({ description: 'INSTANCE_ID', example: 'gw-1' })
  readonly instance!: string;

  @ApiProperty({ type: BrokerHealthSchema })
  readonly broker!: BrokerHealthSchema;

  @ApiProperty({ type: ConnectionStatsSchema })
  readonly connections!: ConnectionStatsSchema;
}

@ApiSchema({ name: 'EventLoopReport' })
export class EventLoopReportSchema {
  @ApiProperty({ type: 'integer', minimum: 0, description: 'Longest event loop stall over the last one to two windows of `limitMs`, in ms.' })
  readonly maxDelayMs!: number;

  @ApiProperty({ type: 'integer', minimum: 0, description: 'SSE_LIVENESS_MAX_DELAY_MS: a longer stall counts as wedged.' })
  readonly limitMs!: number;
}

@ApiSchema({ name: 'LivenessAnswer', description: '`GET /health/live`: the process serves requests. Never asks Redis.' })
export class LivenessAnswerSchema {
  @ApiProperty({ enum: ['ok', 'wedged'] })
  readonly status!: 'ok' | 'wedged';

  @ApiProperty({ example: 'gw-1' })
  readonly instance!: string;

  @ApiProperty({ type: EventLoopReportSchema })
  readonly eventLoop!: EventLoopReportSchema;
}

@ApiSchema({ name: 'ReadinessAnswer', description: '`GET /health/ready`: the broker answers and the instance is not draining.' })
export class ReadinessAnswerSchema {
  @ApiProperty({ enum: ['ready', 'unavailable'] })
  readonly status!: 'ready' | 'unavailable';

  @ApiProperty({ example: 'gw-1' })
  readonly instance!: string;

  @ApiProperty({ type: BrokerHealthSchema })
  readonly broker!: BrokerHealthSchema;

  @ApiProperty({ description: 'SIGTERM started the drain.' })
  readonly draining!: boolean;
}
