import { ApiProperty, ApiSchema, getSchemaPath } from '@nestjs/swagger';
import { RESET_REASONS, type ResetReason } from '../../broker/broker.interface.js';
import { RESET_EVENT } from '../../channel/channel-event.js';
import { CONNECTED_EVENT, TOKEN_EXPIRED_EVENT } from '../../sse.constants.js';
import { anyJsonProperty } from './any-json.schema.js';

// What a stream carries, for the API document. OpenAPI 3.1 describes a response body as
// one value, so a `text/event-stream` body is a string whose frame format is told in
// prose; the reserved event types and what each one's `data:` holds are named schemas,
// listed for tools under the media type's `x-sse-events` extension.

/** `data:` of `sse.connected`. */
@ApiSchema({ name: 'ConnectedEventData', description: `\`data:\` of \`${CONNECTED_EVENT}\`, the first frame of every stream.` })
export class ConnectedEventDataSchema {
  @ApiProperty({ description: 'The instance serving the stream (as `X-Instance-Id`).', example: 'gw-1' })
  readonly instance!: string;
}

/** `data:` of `reset`. */
@ApiSchema({ name: 'ResetEventData', description: '`data:` of `reset`: the position the client sent cannot be resumed.' })
export class ResetEventDataSchema {
  @ApiProperty({
    enum: RESET_REASONS,
    description: '`trimmed`: older than the kept history; `unknown`: from another epoch (the stream was lost and recreated) or not a position at all.',
  })
  readonly reason!: ResetReason;

  @ApiProperty({
    description:
      "Where the stream goes on from, also the frame's `id:`: the channel's head, or, for a position of a lost and recreated stream, the new stream's start (every event of the new stream follows).",
    example: '1767225600000-0.k3j9x2a',
  })
  readonly head!: string;
}

/** `data:` of `sse.token-expired`. */
@ApiSchema({ name: 'TokenExpiredEventData', description: `\`data:\` of \`${TOKEN_EXPIRED_EVENT}\`, the last frame of a stream whose token expired.` })
export class TokenExpiredEventDataSchema {
  @ApiProperty({ enum: ['token-expired'] })
  readonly reason!: 'token-expired';

  @ApiProperty({ format: 'date-time', example: '2026-12-01T10:00:00.000Z' })
  readonly expiredAt!: string;
}

/** `data:` of every frame of a several-channel stream (`/events`), `sse.connected` and `sse.token-expired` aside. */
@ApiSchema({ name: 'ChannelEnvelope', description: '`data:` of each event (and each `reset`) on a several-channel stream: which channel, and its data.' })
export class ChannelEnvelopeSchema {
  @ApiProperty({ example: 'orders' })
  readonly channel!: string;

  @ApiProperty(anyJsonProperty('The event\'s payload as published (or a reset\'s `{reason, head}`).', { id: 'o-1', total: 12.5 }))
  readonly data!: unknown;
}

/** Every schema above: controllers list them with `@ApiExtraModels`, so any document that scans them has them. */
export const EVENT_STREAM_MODELS = [ConnectedEventDataSchema, ResetEventDataSchema, TokenExpiredEventDataSchema, ChannelEnvelopeSchema];

const FRAME_FORMAT = `A \`text/event-stream\` body (HTML standard, server-sent events), open until either side closes it:

- \`retry: <ms>\` first, sent at once with the headers (SSE_RETRY_MS): how long a client waits before it reconnects;
- one frame per event, ended by a blank line: \`id: <id>\`, \`event: <type>\` (absent for the default type \`message\`) and \`data: <JSON>\` (one line: JSON escapes line breaks);
- every id a client must keep comes on a frame with data (some parsers drop the id of a frame without): a stream opened without a position starts with \`${CONNECTED_EVENT}\` whose \`id:\` is the channel's head;
- \`:\` comment lines as heartbeats while idle (within SSE_HEARTBEAT_MS).

Events after the client's position (\`Last-Event-ID\` header, else \`?lastEventId=\`; the header wins) are replayed from history first, then the stream goes live, with no gap and no duplicate.

Event types the gateway sends itself (publishing them is a 400):

| type | sent | data |
|---|---|---|
| \`${CONNECTED_EVENT}\` | first on every stream; its \`id:\` is the stream's start position when the client had none, absent otherwise (the client's position stands) | \`{"instance": "<id>"}\` (ConnectedEventData) |
| \`${RESET_EVENT}\` | before live events when the position cannot be resumed; its \`id:\` is where the stream goes on from: the channel's head, or the start of a recreated stream (then every event of it follows) | \`{"reason": "trimmed"\\|"unknown", "head": "<id>"}\` (ResetEventData) |
| \`error\` | never yet; reserved because \`EventSource\` uses the name itself | |
| \`${TOKEN_EXPIRED_EVENT}\` | last, without an \`id:\`, when the token the stream was opened with expires; the stream then ends | \`{"reason": "token-expired", "expiredAt": "<ISO time>"}\` (TokenExpiredEventData) |

and every other type starting with \`sse.\`.`;

const SINGLE_EXAMPLE = `retry: 3000

id: 1796083200000-0.k3j9x2a
event: ${CONNECTED_EVENT}
data: {"instance":"gw-1"}

id: 1796083200417-0.k3j9x2a
event: order.created
data: {"id":"o-1","total":12.5}

:

`;

const MULTI_EXAMPLE = `retry: 3000

id: AZpgFbwAAAAHazNqOXgyYWZd2KUAAAAHazNqOXgyYg
event: ${CONNECTED_EVENT}
data: {"instance":"gw-1"}

id: AZpgFbwCnwYAB2szajl4MmFmXdilAAAAB2szajl4Mm
event: order.created
data: {"channel":"orders","data":{"id":"o-1","total":12.5}}

`;

/**
 * The `text/event-stream` media type of a stream's `200`: one channel's own ids and data
 * (`single`), or envelopes and composite ids (`multi`, `/events`).
 */
export function eventStreamMediaType(mode: 'single' | 'multi'): Record<string, unknown> {
  const multi = mode === 'multi';
  const published = multi
    ? { data: { $ref: getSchemaPath(ChannelEnvelopeSchema) }, id: 'an opaque token (base64url) holding the position of every channel of the stream' }
    : { data: { description: 'the payload as published: any JSON value' }, id: "the event's id, strictly increasing per channel" };
  return {
    schema: {
      type: 'string',
      description: multi
        ? `${FRAME_FORMAT}\n\nOn this several-channel stream each event's \`data:\` is an envelope \`{"channel", "data"}\` (ChannelEnvelope), \`reset\` included (one per channel that cannot resume), and every \`id:\` is one opaque token holding the position of every channel, quiet ones included: reconnecting with it resumes each channel.`
        : FRAME_FORMAT,
    },
    example: multi ? MULTI_EXAMPLE : SINGLE_EXAMPLE,
    'x-sse-events': {
      [CONNECTED_EVENT]: { id: false, data: { $ref: getSchemaPath(ConnectedEventDataSchema) } },
      [RESET_EVENT]: {
        id: true,
        data: multi ? { $ref: getSchemaPath(ChannelEnvelopeSchema), description: 'data: ResetEventData' } : { $ref: getSchemaPath(ResetEventDataSchema) },
      },
      [TOKEN_EXPIRED_EVENT]: { id: false, last: true, data: { $ref: getSchemaPath(TokenExpiredEventDataSchema) } },
      '*': { id: true, description: `any published type (\`message\` when none); ${published.id}`, data: published.data },
    },
  };
}
