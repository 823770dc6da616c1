import { EnvReader } from './env-parsers.js';
import { ConfigError, loadGatewayConfig } from './gateway.config.js';
import { fallbackLogSettings, logLevelsFrom, readLoggingConfig } from './logging.config.js';

const read = (env: NodeJS.ProcessEnv) => {
  const reader = new EnvReader(env);
  return { config: readLoggingConfig(reader), problems: reader.problems };
};

describe('readLoggingConfig', () => {
  it('defaults to text at the log (info) level', () => {
    expect(read({})).toEqual({ config: { format: 'text', level: 'log' }, problems: [] });
    expect(loadGatewayConfig({}).logging).toEqual({ format: 'text', level: 'log' });
  });

  it('reads the format and every level name, in any case, info meaning log', () => {
    expect(read({ SSE_LOG_FORMAT: 'JSON', SSE_LOG_LEVEL: 'Info' }).config).toEqual({ format: 'json', level: 'log' });
    for (const level of ['error', 'warn', 'log', 'debug', 'verbose', 'fatal'] as const) {
      expect(read({ SSE_LOG_LEVEL: level }).config.level).toBe(level);
    }
  });

  it('names bad values with the others', () => {
    expect(read({ SSE_LOG_FORMAT: 'xml', SSE_LOG_LEVEL: 'loud' }).problems).toEqual([
      'SSE_LOG_FORMAT="xml" must be text or json',
      'SSE_LOG_LEVEL="loud" must be one of fatal, error, warn, info (or log), debug, verbose',
    ]);
    expect(() => loadGatewayConfig({ SSE_LOG_LEVEL: 'loud' })).toThrow(ConfigError);
  });
});

describe('logLevelsFrom', () => {
  it('is the threshold and every more severe level', () => {
    expect(logLevelsFrom('warn')).toEqual(['warn', 'error', 'fatal']);
    expect(logLevelsFrom('verbose')).toEqual(['verbose', 'debug', 'log', 'warn', 'error', 'fatal']);
  });
});

describe('fallbackLogSettings', () => {
  it('keeps the valid settings of a configuration that failed, defaults for the rest', () => {
    expect(fallbackLogSettings({ SSE_LOG_FORMAT: 'json', SSE_LOG_LEVEL: 'loud', INSTANCE_ID: 'gw-9', PORT: 'x' })).toEqual({
      logging: { format: 'json', level: 'log' },
      instanceId: 'gw-9',
    });
    expect(fallbackLogSettings({ INSTANCE_ID: 'bad id' }).instanceId).toContain(String(process.pid));
  });
});
