import { ConfigError, loadGatewayConfig } from '../gateway.config.js';

/**
 * What `loadGatewayConfig` refuses in `env`: its `ConfigError`'s problems, one line each, or
 * `[]` when it accepts it. Any other error is thrown on.
 */
export function configProblems(env: NodeJS.ProcessEnv): string[] {
  try {
    loadGatewayConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return [...error.problems];
    throw error;
  }
  return [];
}
