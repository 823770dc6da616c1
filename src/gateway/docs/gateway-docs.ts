import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject, type PathItemObject, type ResponsesObject } from '@nestjs/swagger';
import { createRequire } from 'node:module';
import type { GatewayConfig } from '../../config/gateway.config.js';
import { addSseOpenApi } from '../../sse/internals.js';
import { GATEWAY_API_TAGS } from './gateway-api.decorator.js';

/** Where the browsable page is served (Swagger UI, its assets from `swagger-ui-dist` in node_modules). */
export const DOCS_PATH = '/docs';
/** Where the OpenAPI document is served, as JSON. */
export const OPENAPI_DOCUMENT_PATH = '/openapi.json';
/** The OpenAPI version of the document; `SwaggerModule` turns `nullable` into 3.1 type arrays for it. */
export const OPENAPI_VERSION = '3.1.0';

const INSTANCE_HEADER = 'X-Instance-Id';
const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const satisfies readonly (keyof PathItemObject)[];

const { version } = createRequire(import.meta.url)('../../../package.json') as { version: string };

/**
 * Serves the API document at `GET /openapi.json` and Swagger UI at `GET /docs`, unless
 * `SSE_DOCS=false`. Call after `configureGatewayApp` (so these answers get the same
 * headers) and before `init()` (so they come before the not-found handler).
 */
export function setupGatewayDocs(app: NestExpressApplication, config: GatewayConfig): void {
  if (!config.server.docs) return;
  SwaggerModule.setup(DOCS_PATH, app, createGatewayDocument(app, config), {
    jsonDocumentUrl: OPENAPI_DOCUMENT_PATH,
    raw: ['json'],
    customSiteTitle: 'nest-sse-gateway API',
    // No call to the online validator: the page talks to this gateway only.
    swaggerOptions: { validatorUrl: null },
  });
}

/**
 * The gateway's whole HTTP API as an OpenAPI 3.1 document: the module's routes (from the
 * decorators on its controllers), the gateway's own (health, cluster), and `X-Instance-Id`
 * on every answer. The demo page and the docs themselves are pages for people, not API.
 */
export function createGatewayDocument(app: NestExpressApplication, config: GatewayConfig): OpenAPIObject {
  const auth = config.sse.http?.jwt
    ? 'Authorization is on: channel routes need a token as their security says (README: Security).'
    : 'Authorization is off on this instance: no call needs a token, and no call answers 401 or 403.';
  const builder = new DocumentBuilder()
    .setOpenAPIVersion(OPENAPI_VERSION)
    .setTitle('nest-sse-gateway')
    .setVersion(version)
    .setDescription(
      [
        'A horizontally scalable Server-Sent Events gateway: every client gets every event of its channels, in order, exactly once, whichever instance it lands on.',
        `Errors are JSON \`{"statusCode", "error", "message"}\` (ErrorBody). Every answer carries \`${INSTANCE_HEADER}\`. ${auth}`,
        'CORS (SSE_CORS_ORIGINS): a preflight (`OPTIONS` with `Access-Control-Request-Method`) to any path is answered before routing, `204` for an allowed origin and `403` for any other.',
      ].join('\n\n'),
    );
  addSseOpenApi(builder)
    .addTag(GATEWAY_API_TAGS.health, 'Probes for load balancers and orchestrators.')
    .addTag(GATEWAY_API_TAGS.cluster, 'The instances of the cluster and their streams.');
  const document = SwaggerModule.createDocument(app, builder.build());
  addInstanceHeader(document, config.instanceId);
  return document;
}

/** `X-Instance-Id` is set on every answer by the gateway (not the module): one header component, referred to from every response. */
function addInstanceHeader(document: OpenAPIObject, instanceId: string): void {
  document.components = {
    ...document.components,
    headers: {
      ...document.components?.headers,
      [INSTANCE_HEADER]: {
        description: 'The instance that gave the answer (INSTANCE_ID).',
        required: true,
        schema: { type: 'string' },
        example: instanceId,
      },
    },
  };
  for (const pathItem of Object.values(document.paths)) {
    for (const method of METHODS) {
      const responses: ResponsesObject = pathItem[method]?.responses ?? {};
      for (const response of Object.values(responses)) {
        if (!response || '$ref' in response) continue;
        response.headers = { [INSTANCE_HEADER]: { $ref: `#/components/headers/${INSTANCE_HEADER}` }, ...response.headers };
      }
    }
  }
}
