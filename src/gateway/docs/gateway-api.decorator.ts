import { applyDecorators } from '@nestjs/common';
import { ApiExtraModels, ApiOkResponse, ApiOperation, ApiResponse, ApiTags, getSchemaPath } from '@nestjs/swagger';
import { ClusterViewSchema } from './cluster.schema.js';
import { HealthAnswerSchema, LivenessAnswerSchema, ReadinessAnswerSchema } from './health.schema.js';

// The API document of the gateway's own routes: health probes and the cluster view.

/** The tags of the gateway's own operations. */
export const GATEWAY_API_TAGS = { health: 'health', cluster: 'cluster' } as const;

/** The health controller: its tag and schemas. */
export const ApiHealthRoutes = () =>
  applyDecorators(ApiTags(GATEWAY_API_TAGS.health), ApiExtraModels(HealthAnswerSchema, LivenessAnswerSchema, ReadinessAnswerSchema));

/** One health probe: the same schema on `200` and `503`, each with its meaning. */
function ApiProbe(operationId: string, summary: string, schema: Function, ok: string, unavailable: string) {
  const content = { 'application/json': { schema: { $ref: getSchemaPath(schema) } } };
  return applyDecorators(
    ApiOperation({ operationId, summary }),
    ApiResponse({ status: 200, description: ok, content }),
    ApiResponse({ status: 503, description: unavailable, content }),
  );
}

/** `GET /health`. */
export const ApiHealth = () =>
  ApiProbe(
    'health',
    'Readiness with the stream counts (what the shipped balancer configs poll)',
    HealthAnswerSchema,
    'Ready: `status` is `ok`.',
    'The broker does not answer, or the instance is draining: `status` is `unavailable`.',
  );

/** `GET /health/live`. */
export const ApiLiveness = () =>
  ApiProbe(
    'healthLive',
    'Liveness: the process serves requests (never asks Redis)',
    LivenessAnswerSchema,
    'Alive: `status` is `ok`.',
    'Its event loop stalled longer than SSE_LIVENESS_MAX_DELAY_MS within the last one to two such periods: `status` is `wedged`.',
  );

/** `GET /health/ready`. */
export const ApiReadiness = () =>
  ApiProbe(
    'healthReady',
    'Readiness: the broker answers and the instance is not draining',
    ReadinessAnswerSchema,
    'Ready: `status` is `ready`.',
    'The broker does not answer a PING within SSE_PUBLISH_TIMEOUT_MS, or SIGTERM started the drain: `status` is `unavailable`.',
  );

/** The cluster controller: its tag. */
export const ApiClusterRoutes = () => ApiTags(GATEWAY_API_TAGS.cluster);

/** `GET /cluster`. */
export const ApiClusterView = () =>
  applyDecorators(
    ApiOperation({ operationId: 'cluster', summary: 'The live instances and the streams each holds' }),
    ApiExtraModels(ClusterViewSchema),
    ApiOkResponse({
      description: 'As this instance sees the presence reports: JSON, or to a browser (`Accept: text/html`) a page that follows it live (404 with SSE_DEMO=false).',
      content: {
        'application/json': { schema: { $ref: getSchemaPath(ClusterViewSchema) } },
        'text/html': { schema: { type: 'string' } },
      },
    }),
  );
