import { ApiProperty, ApiPropertyOptional, ApiSchema } from '@nestjs/swagger';
import { CHANNEL_NAME_PATTERN, EVENT_TYPE_PATTERN } from '../../sse.constants.js';
import { anyJsonProperty } from './any-json.schema.js';

/** The OpenAPI schema of a `POST /channels/{channel}/events` body (`../publish-request.ts`). */
@ApiSchema({
  name: 'PublishBody',
  description: 'An event to publish. No other field is accepted; the body counts against SSE_MAX_EVENT_BYTES.',
})
export class PublishBodySchema {
  @ApiProperty(anyJsonProperty('The payload: any JSON value, `null` included.', { id: 'o-1', total: 12.5 }))
  readonly data!: unknown;

  @ApiPropertyOptional({
    pattern: EVENT_TYPE_PATTERN.source,
    description:
      'The event type (`event:` on the stream); absent: `message`. Reserved types (`reset`, `error`, and every type starting with `sse.`) are refused with 400.',
    example: 'order.created',
  })
  readonly event?: string;
}

/** The OpenAPI schema of the `201` answer of a publish. */
@ApiSchema({ name: 'PublishAnswer', description: 'The stored event: given once the broker has stored it.' })
export class PublishAnswerSchema {
  @ApiProperty({
    description: "The event's id: opaque, strictly increasing per channel (`<redis stream id>.<epoch>`, `<seq>.<epoch>` in memory).",
    example: '1767225600000-0.k3j9x2a',
  })
  readonly id!: string;

  @ApiProperty({ pattern: CHANNEL_NAME_PATTERN.source, example: 'orders' })
  readonly channel!: string;
}
