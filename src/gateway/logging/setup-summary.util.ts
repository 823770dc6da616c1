import type { GatewayConfig } from '../../config/gateway.config.js';
import { redactUrl } from '../../config/redact-url.util.js';

/** What the ready line says about a gateway's set-up: its broker, and whether anyone may publish. */
export function setupSummary(config: GatewayConfig): string {
  const { redis, http } = config.sse;
  const broker = redis ? `redis ${redactUrl(redis)}` : 'in-memory broker';
  const auth = http?.jwt ? '' : ', AUTHORIZATION OFF';
  return `${broker}${auth}`;
}
