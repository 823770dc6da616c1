import { Logger, type INestApplication } from '@nestjs/common';
import type { GatewayConfig } from '../../config/gateway.config.js';
import { redactUrl } from '../../config/redact-url.util.js';
import { connectSseTransport, SSE_PUBLISH_PATTERN } from '../../sse/index.js';

/**
 * With Redis configured, makes the gateway a hybrid application that stores what other
 * services emit on `sse.publish` through Nest's Redis transport on that same Redis. Call
 * after `app.init()` and before `listen()`, so that the `listening on` line means the
 * consumer is subscribed (unless Redis is down at start: it subscribes once Redis answers).
 */
export async function startPublishTransport(app: INestApplication, config: GatewayConfig): Promise<void> {
  if (!config.sse.transport || !config.sse.redis) return;
  connectSseTransport(app);
  await app.startAllMicroservices();
  new Logger('Gateway').log(`consuming ${SSE_PUBLISH_PATTERN} from ${redactUrl(config.sse.redis)}`);
}
