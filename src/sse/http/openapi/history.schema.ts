import { ApiProperty, ApiPropertyOptional, ApiSchema } from '@nestjs/swagger';
import { RESET_REASONS, type ResetReason } from '../../broker/broker.interface.js';
import { MAX_HISTORY_LIMIT } from '../stream-query.js';
import { anyJsonProperty } from './any-json.schema.js';

/** One stored event of the JSON history (`../history-response.ts`). */
@ApiSchema({ name: 'HistoryEvent' })
export class HistoryEventSchema {
  @ApiProperty({ description: "The event's id, as on the stream.", example: '1767225600000-0.k3j9x2a' })
  readonly id!: string;

  @ApiProperty({ description: 'Its type; `message` when it was published without one.', example: 'order.created' })
  readonly event!: string;

  @ApiProperty(anyJsonProperty('Its payload, as published.', { id: 'o-1', total: 12.5 }))
  readonly data!: unknown;

  @ApiProperty({ format: 'date-time', description: 'When the broker stored it.', example: '2026-12-01T09:30:00.123Z' })
  readonly time!: string;
}

/** Why a history page has no events: its `after` cannot be resumed. */
@ApiSchema({ name: 'HistoryReset' })
export class HistoryResetSchema {
  @ApiProperty({
    enum: RESET_REASONS,
    description: '`trimmed`: older than the kept history; `unknown`: from another epoch, or not a position at all.',
  })
  readonly reason!: ResetReason;

  @ApiProperty({ description: "The channel's current position: read on from here.", example: '1767225600000-0.k3j9x2a' })
  readonly head!: string;
}

/** The OpenAPI schema of the JSON history answer. */
@ApiSchema({
  name: 'HistoryAnswer',
  description: `Recent events of a channel, oldest first: after \`after\` (exclusive), else the newest \`limit\` (at most ${MAX_HISTORY_LIMIT}).`,
})
export class HistoryAnswerSchema {
  @ApiProperty({ type: [HistoryEventSchema] })
  readonly events!: HistoryEventSchema[];

  @ApiProperty({ type: 'string', nullable: true, description: "The id of the channel's newest event; `null` when it has none.", example: '1767225600000-0.k3j9x2a' })
  readonly head!: string | null;

  @ApiPropertyOptional({ type: HistoryResetSchema, description: 'Present (and `events` empty) when `after` cannot be resumed.' })
  readonly reset?: HistoryResetSchema;
}
