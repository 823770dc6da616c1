import { applyDecorators } from '@nestjs/common';
import { ApiBody, ApiExtraModels, ApiOkResponse, ApiOperation, ApiTags, getSchemaPath } from '@nestjs/swagger';
import { SSE_DEFAULTS } from '../../sse.constants.js';
import { brokerTimeout } from '../../sse.messages.js';
import { ApiChannelSecurity, ApiErrorAnswer, ApiErrorAnswers } from './shared-api.decorator.js';
import { ErrorBodySchema } from './error-body.schema.js';
import { SSE_API_TAGS } from './sse-openapi.js';
import { SyncChannelAnswerSchema, SyncChannelBodySchema, SyncChannelsAnswerSchema, SyncChannelsBodySchema } from './sync.schema.js';

/** The sync controller: its tag and schemas. */
export const ApiSyncRoutes = () =>
  applyDecorators(
    ApiTags(SSE_API_TAGS.sync),
    ApiExtraModels(ErrorBodySchema, SyncChannelBodySchema, SyncChannelsBodySchema, SyncChannelAnswerSchema, SyncChannelsAnswerSchema),
  );

/** `POST /sync`. */
export const ApiSync = () =>
  applyDecorators(
    ApiOperation({
      operationId: 'sync',
      summary: 'Where to stream from after a snapshot',
      description:
        'A client that has just loaded a snapshot asks for its channel(s) and gets the position the snapshot corresponds to and the stream url that continues from exactly there: nothing published after this answer is missed.',
    }),
    ApiBody({
      required: true,
      schema: { oneOf: [{ $ref: getSchemaPath(SyncChannelBodySchema) }, { $ref: getSchemaPath(SyncChannelsBodySchema) }] },
    }),
    ApiChannelSecurity(['bearer', 'cookie'], true),
    ApiOkResponse({
      description: 'One channel answers `channel`, several `channels`.',
      schema: { oneOf: [{ $ref: getSchemaPath(SyncChannelAnswerSchema) }, { $ref: getSchemaPath(SyncChannelsAnswerSchema) }] },
    }),
    ApiErrorAnswer(
      400,
      'Here also: malformed JSON, a body that is not an object, neither or both of `channel` and `channels`, more than SSE_MAX_CHANNELS_PER_STREAM channels, or a `lastEventId` outside 1-1024 visible ASCII characters.',
    ),
    ApiErrorAnswers(401, 403, 413, 415),
    ApiErrorAnswer(503, 'The broker did not answer in time.', brokerTimeout(SSE_DEFAULTS.publishTimeoutMs)),
    ApiErrorAnswer(500),
  );
