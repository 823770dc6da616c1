import { applyDecorators } from '@nestjs/common';
import { ApiBody, ApiCreatedResponse, ApiExtraModels, ApiHeader, ApiOperation, ApiTags } from '@nestjs/swagger';
import { SSE_DEFAULTS } from '../../sse.constants.js';
import { brokerTimeout, brokerUnavailable } from '../../sse.messages.js';
import { ApiChannelParam, ApiChannelSecurity, ApiErrorAnswer, ApiErrorAnswers } from './shared-api.decorator.js';
import { ErrorBodySchema } from './error-body.schema.js';
import { PublishAnswerSchema, PublishBodySchema } from './publish.schema.js';
import { SSE_API_TAGS } from './sse-openapi.js';

/** The publish controller: its tag and schemas. */
export const ApiPublishRoutes = () => applyDecorators(ApiTags(SSE_API_TAGS.events), ApiExtraModels(ErrorBodySchema));

/** `POST /channels/{channel}/events`. */
export const ApiPublish = () =>
  applyDecorators(
    ApiOperation({
      operationId: 'publish',
      summary: 'Publish an event to a channel',
      description:
        'Answers only once the broker has stored the event (never a silent drop); every subscriber on every instance then gets it, in order. Send `Content-Type: application/json` (any `application/*+json`, or none).',
    }),
    ApiChannelParam(),
    // Named as Nest reads it (`@Headers('idempotency-key')`); header names are case-insensitive.
    ApiHeader({
      name: 'idempotency-key',
      required: false,
      description:
        '`Idempotency-Key`: makes a retry safe. The same key on the same channel, while its event is in the kept history, answers the first event\'s id and stores nothing new.',
      schema: { type: 'string', pattern: '^[\\x21-\\x7e]{1,200}$' },
    }),
    ApiBody({ type: PublishBodySchema, required: true }),
    ApiChannelSecurity(['bearer'], false),
    ApiCreatedResponse({ type: PublishAnswerSchema, description: 'Stored (or stored before, under the same `Idempotency-Key`).' }),
    ApiErrorAnswer(
      400,
      'Here also: malformed JSON, no body, a body that is not an object, no `data`, fields other than `data` and `event`, an `event` that is not a string, outside 1-64 characters of `A-Z a-z 0-9 . _ : -` or reserved (`reset`, `error`, `sse.*`), or an `Idempotency-Key` outside 1-200 visible ASCII characters.',
    ),
    ApiErrorAnswers(401, 403, 413, 415, 429),
    ApiErrorAnswer(503, 'The broker could not confirm the store within SSE_PUBLISH_TIMEOUT_MS: the event may or may not be stored; retry with the same `Idempotency-Key`.',
      brokerUnavailable(brokerTimeout(SSE_DEFAULTS.publishTimeoutMs)),
    ),
    ApiErrorAnswer(500),
  );
