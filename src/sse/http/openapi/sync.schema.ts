import { ApiProperty, ApiPropertyOptional, ApiSchema } from '@nestjs/swagger';
import { CHANNEL_NAME_PATTERN } from '../../sse.constants.js';

const RESUME_DESCRIPTION =
  'Optional: a position the client already has (its last event id). The answer then resumes from there instead of the head, so nothing in between is lost (what a client does after its token expired).';
const RESUME_PATTERN = '^[\\x21-\\x7e]{1,1024}$';
const URL_DESCRIPTION =
  'Where to open the stream so that nothing after this answer is missed: an absolute path (the API prefix included) with `lastEventId`, and with authorization on a short-lived stream token (`&token=…`).';

/** `POST /sync` for one channel (`../sync.controller.ts`). */
@ApiSchema({ name: 'SyncChannelBody' })
export class SyncChannelBodySchema {
  @ApiProperty({ pattern: CHANNEL_NAME_PATTERN.source, example: 'orders' })
  readonly channel!: string;

  @ApiPropertyOptional({ pattern: RESUME_PATTERN, description: RESUME_DESCRIPTION })
  readonly lastEventId?: string;
}

/** `POST /sync` for several channels on one stream. */
@ApiSchema({ name: 'SyncChannelsBody' })
export class SyncChannelsBodySchema {
  @ApiProperty({
    type: 'string',
    isArray: true,
    pattern: CHANNEL_NAME_PATTERN.source,
    minItems: 1,
    description: 'At most SSE_MAX_CHANNELS_PER_STREAM (32) channels; duplicates count once.',
    example: ['orders', 'payments'],
  })
  readonly channels!: string[];

  @ApiPropertyOptional({ pattern: RESUME_PATTERN, description: `${RESUME_DESCRIPTION} Here the stream's composite id.` })
  readonly lastEventId?: string;
}

/** The `POST /sync` answer for one channel. */
@ApiSchema({ name: 'SyncChannelAnswer' })
export class SyncChannelAnswerSchema {
  @ApiProperty({ example: 'orders' })
  readonly channel!: string;

  @ApiProperty({
    type: 'string',
    nullable: true,
    description: "The channel's head (or the position sent); `null` on an empty channel, whose url then reads from the start.",
    example: '1767225600000-0.k3j9x2a',
  })
  readonly lastEventId!: string | null;

  @ApiProperty({ description: URL_DESCRIPTION, example: '/channels/orders/events?lastEventId=1767225600000-0.k3j9x2a' })
  readonly url!: string;
}

/** The `POST /sync` answer for several channels. */
@ApiSchema({ name: 'SyncChannelsAnswer' })
export class SyncChannelsAnswerSchema {
  @ApiProperty({ type: 'string', isArray: true, example: ['orders', 'payments'] })
  readonly channels!: string[];

  @ApiProperty({ description: 'The composite position of every channel (an opaque token, as `/events` ids are).' })
  readonly lastEventId!: string;

  @ApiProperty({ description: URL_DESCRIPTION, example: '/events?channel=orders&channel=payments&lastEventId=eyJ…' })
  readonly url!: string;
}
