import type { NestExpressApplication } from '@nestjs/platform-express';
import type { GatewayConfig } from '../config/gateway.config.js';
import { ClientAddressResolver, SseHttpErrorFilter } from '../sse/internals.js';
import { accessLogMiddleware } from './logging/access-log.middleware.js';
import { corsMiddleware } from './http/cors.middleware.js';
import { instanceIdMiddleware } from './http/instance-id.middleware.js';
import { applyServerTimeouts } from './http/server-timeouts.js';

/**
 * Express-level set-up shared by `main.ts` and the tests: server timeouts (slow clients),
 * the access log, the instance header on every answer, CORS, and JSON errors for every
 * route (unknown ones included). Call before `listen()`/`init()`; the app must be created
 * with `bodyParser: false`: the module's API parses its own bodies, with JSON errors.
 */
export function configureGatewayApp(app: NestExpressApplication, config: GatewayConfig): void {
  const { server } = config;
  applyServerTimeouts(app.getHttpServer(), server);
  if (server.accessLog) app.use(accessLogMiddleware(new ClientAddressResolver(server.trustedProxies)));
  app.use(instanceIdMiddleware(config.instanceId));
  app.use(corsMiddleware(server.corsOrigins));
  app.useGlobalFilters(new SseHttpErrorFilter());
  app.set('x-powered-by', false);
  app.set('etag', false);
}
