import { applyDecorators } from '@nestjs/common';
import { ApiOperation, ApiParam, ApiResponse, ApiSecurity, type HeaderObject } from '@nestjs/swagger';
import { keysUnavailable, notAllowed, tokenInvalid } from '../../auth/auth.messages.js';
import { publishRateExceeded } from '../../limits/limits.messages.js';
import { CHANNEL_NAME_PATTERN, SSE_DEFAULTS } from '../../sse.constants.js';
import { invalidChannelName } from '../../sse.messages.js';
import { errorBody } from '../../errors/error-body.js';
import { bodyTooLarge, notAcceptable, unsupportedMediaType } from '../http.messages.js';
import { ErrorBodySchema } from './error-body.schema.js';
import { SSE_SECURITY } from './sse-openapi.js';

// Parts shared by the API document of the module's routes: error answers, who may call,
// the channel parameter, the answer of a plain OPTIONS.

/** The error statuses the module's routes answer (each with the JSON `ErrorBody`). */
export type ErrorStatus = 400 | 401 | 403 | 406 | 413 | 415 | 429 | 500 | 503;

const RETRY_AFTER = (description: string, required: boolean): HeaderObject => ({
  description,
  required,
  schema: { type: 'integer', minimum: 1 },
});

const WWW_AUTHENTICATE = (description: string, example: string): HeaderObject => ({
  description,
  required: true,
  schema: { type: 'string' },
  example,
});

/** What each status means on every route that answers it; a route adds its own reasons. */
const ERRORS: Readonly<Record<ErrorStatus, { description: string; example: string; headers?: Record<string, HeaderObject> }>> = {
  400: { description: 'Bad input: a channel name outside 1-128 characters of `A-Z a-z 0-9 . _ : -`.', example: invalidChannelName('orders eu') },
  401: {
    description:
      'Authorization is on (JWT or an authorizer of the application) and no token came, or the one that came is not accepted (signature, `exp`, `nbf`, audience, issuer, over 8 KiB). Only the first place carrying a token is read: header, then query, then cookie.',
    example: tokenInvalid('"exp" claim timestamp check failed'),
    headers: {
      'WWW-Authenticate': WWW_AUTHENTICATE(
        'RFC 6750 challenge; with `error="invalid_token"` and the reason when a token was sent.',
        'Bearer realm="sse-gateway", error="invalid_token", error_description="token expired"',
      ),
    },
  },
  403: {
    description: 'The token is valid but does not allow this action on the channel(s); the message names them.',
    example: notAllowed('subscribe', ['orders.eu']),
    headers: {
      'WWW-Authenticate': WWW_AUTHENTICATE('RFC 6750 challenge with `error="insufficient_scope"`.', 'Bearer realm="sse-gateway", error="insufficient_scope"'),
    },
  },
  406: { description: '`Accept` allows neither `text/event-stream` nor `application/json`.', example: notAcceptable },
  413: {
    description: 'The body is larger than SSE_MAX_EVENT_BYTES bytes: judged by `Content-Length` before reading when one is sent (the connection then closes).',
    example: bodyTooLarge(SSE_DEFAULTS.maxEventBytes),
  },
  415: {
    description: 'A `Content-Type` that is not JSON (`application/json` or any `application/*+json` are; none at all is taken as JSON), or a charset or encoding that is not supported.',
    example: unsupportedMediaType('text/plain'),
  },
  429: {
    description: 'A client limit (with authorization configured): publishes per window per token subject, else client address (SSE_PUBLISH_RATE_LIMIT), or streams per client address (SSE_MAX_CONNECTIONS_PER_IP).',
    example: publishRateExceeded(100, SSE_DEFAULTS.publishRateWindowMs),
    headers: { 'Retry-After': RETRY_AFTER('Seconds until the limit lets the client through again.', true) },
  },
  500: { description: 'An unexpected failure: logged by the gateway; the message reveals nothing.', example: 'internal error' },
  503: {
    description: 'The keys to check tokens with cannot be fetched (JWKS down; with `Retry-After`).',
    example: keysUnavailable,
    headers: { 'Retry-After': RETRY_AFTER('Seconds to wait before trying again; sent when the refusal is temporary by nature (a full or draining instance, JWKS down).', false) },
  },
};

/**
 * One error answer of a module route: `ErrorBody` as JSON (with an example of a real
 * message), the status' headers (`WWW-Authenticate`, `Retry-After`), and its meaning, with
 * `more` for this route's own reasons (and `message`, an example of their own).
 */
export function ApiErrorAnswer(status: ErrorStatus, more?: string, message?: string) {
  const { description, example, headers } = ERRORS[status];
  return ApiResponse({
    status,
    description: more ? `${description} ${more}` : description,
    type: ErrorBodySchema,
    example: errorBody(status, message ?? example),
    ...(headers ? { headers } : {}),
  });
}

/** Several error answers with their default meaning. */
export const ApiErrorAnswers = (...statuses: ErrorStatus[]) => applyDecorators(...statuses.map((status) => ApiErrorAnswer(status)));

/**
 * Who may call: each listed scheme is one alternative; `anonymous` adds the empty
 * requirement (public channels, or authorization off).
 */
export function ApiChannelSecurity(schemes: readonly (keyof typeof SSE_SECURITY)[], anonymous: boolean) {
  return applyDecorators(...schemes.map((scheme) => ApiSecurity(SSE_SECURITY[scheme])), ...(anonymous ? [ApiSecurity({})] : []));
}

/** A plain `OPTIONS` (CORS preflights are answered before routing): `204` with `Allow`. */
export const ApiAllowAnswer = (operationId: string, allow: string) =>
  applyDecorators(
    ApiOperation({ operationId, summary: 'The methods this URL allows' }),
    ApiResponse({ status: 204, description: 'No body; `Allow` lists the methods.', headers: { Allow: { required: true, schema: { type: 'string' }, example: allow } } }),
  );

/** The `{channel}` path parameter. */
export const ApiChannelParam = () =>
  ApiParam({
    name: 'channel',
    description: 'The channel: 1-128 characters of `A-Z a-z 0-9 . _ : -`.',
    schema: { type: 'string', pattern: CHANNEL_NAME_PATTERN.source },
    example: 'orders',
  });
