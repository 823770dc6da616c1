import { applyDecorators } from '@nestjs/common';
import { ApiExtraModels, ApiHeader, ApiOperation, ApiQuery, ApiResponse, ApiTags, getSchemaPath } from '@nestjs/swagger';
import { CHANNEL_NAME_PATTERN } from '../../sse.constants.js';
import { connectionLimit } from '../../sse.messages.js';
import { DEFAULT_HISTORY_LIMIT, MAX_HISTORY_LIMIT } from '../stream-query.js';
import { ErrorBodySchema } from './error-body.schema.js';
import { EVENT_STREAM_MODELS, eventStreamMediaType } from './event-stream.schema.js';
import { HistoryAnswerSchema } from './history.schema.js';
import { ApiChannelParam, ApiChannelSecurity, ApiErrorAnswer, ApiErrorAnswers } from './shared-api.decorator.js';
import { SSE_API_TAGS } from './sse-openapi.js';

// The API document of the stream controller's routes, kept here so the controller carries
// one decorator per route.

const POSITION_HEADER = ApiHeader({
  name: 'Last-Event-ID',
  required: false,
  description: 'Streams: the last event id the client got; events after it are replayed first. Wins over `?lastEventId=`.',
  schema: { type: 'string' },
});

const POSITION_QUERY = ApiQuery({
  name: 'lastEventId',
  required: false,
  type: 'string',
  description: 'Streams: the same as `Last-Event-ID`, for a url (what `POST /sync` answers). A position that cannot be resumed gets `reset`, never a 400.',
});

const STREAM_HEADERS = {
  'Cache-Control': { description: '`no-cache`', schema: { type: 'string' } },
  'X-Accel-Buffering': { description: 'Streams: `no`, so nginx passes frames on as they come.', schema: { type: 'string' } },
};

const STREAM_REFUSED =
  'This instance takes no new stream: SSE_MAX_CONNECTIONS is reached, or it is draining before it stops (both with `Retry-After`; another instance will take the client).';

/** The stream controller: its tag, and the schemas its answers refer to. */
export const ApiStreamRoutes = () => applyDecorators(ApiTags(SSE_API_TAGS.events), ApiExtraModels(ErrorBodySchema, HistoryAnswerSchema, ...EVENT_STREAM_MODELS));

/** `GET /channels/{channel}/events`: the stream, or the JSON history, by `Accept`. */
export const ApiChannelEvents = () =>
  applyDecorators(
    ApiOperation({
      operationId: 'channelEvents',
      summary: "A channel's events: a live stream, or its recent history as JSON",
      description:
        '`Accept: text/event-stream` (what `EventSource` sends) opens the stream; `Accept: application/json` answers the recent history (`?after=`, `?limit=`). `HEAD` answers the headers a stream would get, without the stream.',
    }),
    ApiChannelParam(),
    POSITION_HEADER,
    POSITION_QUERY,
    ApiQuery({ name: 'after', required: false, type: 'string', description: 'History: events after this id (exclusive); without it the newest `limit`. An id that cannot be resumed answers `reset` and no events.' }),
    ApiQuery({
      name: 'limit',
      required: false,
      schema: { type: 'integer', minimum: 1, maximum: MAX_HISTORY_LIMIT, default: DEFAULT_HISTORY_LIMIT },
      description: 'History: how many events at most.',
    }),
    ApiChannelSecurity(['bearer', 'query', 'cookie'], true),
    ApiResponse({
      status: 200,
      description: 'The stream (`text/event-stream`), or the history (`application/json`).',
      headers: STREAM_HEADERS,
      content: {
        'text/event-stream': eventStreamMediaType('single'),
        'application/json': { schema: { $ref: getSchemaPath(HistoryAnswerSchema) } },
      },
    }),
    ApiErrorAnswer(400, `History: \`limit\` not a whole number from 1 to ${MAX_HISTORY_LIMIT}, or \`after\` not a string.`),
    ApiErrorAnswers(401, 403, 406, 429),
    ApiErrorAnswer(503, `${STREAM_REFUSED} History: the broker did not answer in time.`, connectionLimit(10_000)),
    ApiErrorAnswer(500),
  );

/** `GET /events?channel=a&channel=b`: several channels on one stream. */
export const ApiChannelsEvents = () =>
  applyDecorators(
    ApiOperation({
      operationId: 'channelsEvents',
      summary: 'Several channels on one stream',
      description:
        "Each event's `data:` is an envelope `{channel, data}`; each `id:` one opaque token holding every channel's position, so a reconnect resumes each one. `HEAD` answers the headers a stream would get, without the stream.",
    }),
    ApiQuery({
      name: 'channel',
      required: true,
      style: 'form',
      explode: true,
      schema: { type: 'array', minItems: 1, items: { type: 'string', pattern: CHANNEL_NAME_PATTERN.source } },
      description: 'The channels, repeated (`channel=a&channel=b`) or comma-separated (`channel=a,b`); at most SSE_MAX_CHANNELS_PER_STREAM (32).',
    }),
    POSITION_HEADER,
    POSITION_QUERY,
    ApiChannelSecurity(['bearer', 'query', 'cookie'], true),
    ApiResponse({
      status: 200,
      description: 'The stream.',
      headers: STREAM_HEADERS,
      content: { 'text/event-stream': eventStreamMediaType('multi') },
    }),
    ApiErrorAnswer(400, 'Here also: no `channel`, or more than SSE_MAX_CHANNELS_PER_STREAM channels.'),
    ApiErrorAnswers(401, 403, 429),
    ApiErrorAnswer(503, STREAM_REFUSED, connectionLimit(10_000)),
    ApiErrorAnswer(500),
  );
