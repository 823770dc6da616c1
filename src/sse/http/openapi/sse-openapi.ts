import type { DocumentBuilder } from '@nestjs/swagger';
import { TOKEN_COOKIE, TOKEN_QUERY } from '../../auth/token-sources.util.js';

/** Security scheme names the module's operations refer to (prefixed, so they do not clash with a host application's own). */
export const SSE_SECURITY = {
  bearer: 'sse-bearer',
  query: 'sse-token-query',
  cookie: 'sse-token-cookie',
} as const;

/** The tags of the module's operations. */
export const SSE_API_TAGS = { events: 'events', sync: 'sync' } as const;

/**
 * Adds what the module's operations refer to to a host application's document: the
 * security schemes of the JWT authorization (bearer header, `?token=` query, `sse_token`
 * cookie) and the tags. The operations themselves come from the module's controllers,
 * which `SwaggerModule.createDocument(app, config)` scans with everything else, under
 * the module's prefix.
 *
 * ```ts
 * const config = addSseOpenApi(new DocumentBuilder().setTitle('Shop').setOpenAPIVersion('3.1.0')).build();
 * SwaggerModule.setup('docs', app, () => SwaggerModule.createDocument(app, config));
 * ```
 */
export function addSseOpenApi(builder: DocumentBuilder): DocumentBuilder {
  return builder
    .addBearerAuth(
      {
        type: 'http',
        scheme: 'bearer',
        bearerFormat: 'JWT',
        description:
          '`Authorization: Bearer <JWT>`: HS256, RS256 or ES256 as configured; `exp` required. Its `sse` claim names the channel patterns it may `publish` and `subscribe` (README: Security). The only way to publish.',
      },
      SSE_SECURITY.bearer,
    )
    .addApiKey(
      {
        type: 'apiKey',
        in: 'query',
        name: TOKEN_QUERY,
        description:
          'A token in the query, for `EventSource`, which cannot set headers: preferably the short-lived stream token a `POST /sync` url carries (it opens exactly those channels at that position), else a JWT as for the header. Streams only.',
      },
      SSE_SECURITY.query,
    )
    .addCookieAuth(
      TOKEN_COOKIE,
      {
        type: 'apiKey',
        in: 'cookie',
        description: 'The JWT in the HttpOnly cookie `sse_token` (set by the application), for `new EventSource(url, { withCredentials: true })`. Streams and sync.',
      },
      SSE_SECURITY.cookie,
    )
    .addTag(SSE_API_TAGS.events, 'Streams of channels (text/event-stream), their recent history (JSON), and publishing.')
    .addTag(SSE_API_TAGS.sync, 'The handshake after a snapshot: the position and the stream url that follow it with no gap.');
}
