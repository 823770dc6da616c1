import type { NestExpressApplication } from '@nestjs/platform-express';
import type { IncomingMessage } from 'node:http';
import type { GatewayConfig } from '../config/gateway.config.js';
import { accessLogMiddleware } from './logging/access-log.middleware.js';
import { bodyErrorsMiddleware } from './http/body-errors.middleware.js';
import { bodyLimitMiddleware } from './http/body-limit.middleware.js';
import { corsMiddleware } from './http/cors.middleware.js';
import { instanceIdMiddleware } from './http/instance-id.middleware.js';
import { applyServerTimeouts } from './http/server-timeouts.js';
import { ClientAddressResolver } from './limits/client-address.util.js';

/** A body counts as JSON when it says so, or says nothing (curl's `-d` without a type aside). */
function isJsonBody(request: IncomingMessage): boolean {
  const type = request.headers['content-type'];
  return type === undefined || /^application\/([a-z0-9.+-]*\+)?json\b/i.test(type);
}

/**
 * Express-level set-up shared by `main.ts` and the tests: server timeouts (slow clients),
 * the access log, instance header on every answer, CORS, the body size limit, the JSON
 * body parser, JSON answers for its failures. Call
 * before `listen()`/`init()`; the app must be created with `bodyParser: false`.
 */
export function configureGatewayApp(app: NestExpressApplication, config: GatewayConfig): void {
  applyServerTimeouts(app.getHttpServer(), config.security);
  if (config.security.accessLog) app.use(accessLogMiddleware(new ClientAddressResolver(config.security.trustedProxies)));
  app.use(instanceIdMiddleware(config.instanceId));
  app.use(corsMiddleware(config.security.corsOrigins));
  app.use(bodyLimitMiddleware(config.maxEventBytes));
  app.useBodyParser('json', { limit: config.maxEventBytes, type: isJsonBody });
  app.use(bodyErrorsMiddleware(config.maxEventBytes));
  app.set('x-powered-by', false);
  app.set('etag', false);
}
