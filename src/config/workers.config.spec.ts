import { availableParallelism } from 'node:os';
import { ConfigError, loadGatewayConfig } from './gateway.config.js';
import { MAX_WORKERS } from './workers.config.js';

function problems(env: Record<string, string>): readonly string[] {
  try {
    loadGatewayConfig(env);
  } catch (error) {
    return (error as ConfigError).problems;
  }
  return [];
}

describe('SSE_WORKERS', () => {
  const redis = { REDIS_URL: 'redis://127.0.0.1:6379' };

  it('is 1 when unset or blank: `node dist/main.js` stays one process, with or without Redis', () => {
    expect(loadGatewayConfig({}).workers).toBe(1);
    expect(loadGatewayConfig({ SSE_WORKERS: ' ' }).workers).toBe(1);
    expect(loadGatewayConfig({ SSE_WORKERS: '1' }).workers).toBe(1);
  });

  it('takes a count, or auto for one per core', () => {
    expect(loadGatewayConfig({ ...redis, SSE_WORKERS: '4' }).workers).toBe(4);
    expect(loadGatewayConfig({ ...redis, SSE_WORKERS: 'AUTO' }).workers).toBe(Math.min(availableParallelism(), MAX_WORKERS));
    expect(loadGatewayConfig({ REDIS_CLUSTER_NODES: '10.0.0.1:7000', SSE_WORKERS: '2' }).workers).toBe(2);
  });

  it('refuses anything else, and several workers without Redis', () => {
    expect(problems({ ...redis, SSE_WORKERS: '0' })).toEqual([`SSE_WORKERS="0" must be auto (one per core) or a whole number from 1 to ${MAX_WORKERS}`]);
    expect(problems({ ...redis, SSE_WORKERS: 'all' })).toEqual([`SSE_WORKERS="all" must be auto (one per core) or a whole number from 1 to ${MAX_WORKERS}`]);
    expect(problems({ SSE_WORKERS: '3' })).toEqual([
      'SSE_WORKERS=3 runs 3 processes, which share events only through Redis: set REDIS_URL (or REDIS_CLUSTER_NODES), or SSE_WORKERS=1',
    ]);
    // A REDIS_URL that is set but wrong is named once, for what it is.
    expect(problems({ REDIS_URL: 'http://x', SSE_WORKERS: '3' })).toEqual([expect.stringMatching(/^REDIS_URL has scheme http/)]);
  });

  it('leaves room in INSTANCE_ID for the workers\' -w<n>', () => {
    const id = 'i'.repeat(125);
    expect(loadGatewayConfig({ ...redis, INSTANCE_ID: id, SSE_WORKERS: '9' }).workers).toBe(9);
    expect(problems({ ...redis, INSTANCE_ID: id, SSE_WORKERS: '10' })).toEqual([
      `INSTANCE_ID is too long for 10 workers: "${id}-w10" would pass 128 characters`,
    ]);
  });
});
