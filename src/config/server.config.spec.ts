import { ConfigError, loadGatewayConfig } from './gateway.config.js';

describe('SSE_DEMO', () => {
  it('serves the pages for people unless told not to', () => {
    expect(loadGatewayConfig({}).server.demo).toBe(true);
    expect(loadGatewayConfig({ SSE_DEMO: 'false' }).server.demo).toBe(false);
    expect(loadGatewayConfig({ SSE_DEMO: 'off' }).server.demo).toBe(false);
    expect(loadGatewayConfig({ SSE_DEMO: 'true' }).server.demo).toBe(true);
  });

  it('names a value that is not a boolean', () => {
    expect(() => loadGatewayConfig({ SSE_DEMO: 'sometimes' })).toThrow(ConfigError);
    expect(() => loadGatewayConfig({ SSE_DEMO: 'sometimes' })).toThrow('SSE_DEMO="sometimes" must be true or false');
  });
});
