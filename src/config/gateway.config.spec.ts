import { resolveSseOptions } from '../sse/internals.js';
import { ConfigError, loadGatewayConfig } from './gateway.config.js';
import { configProblems } from './testing/config-problems.js';

describe('loadGatewayConfig', () => {
  it('leaves unset what the environment does not set: the module has the documented defaults', () => {
    const config = loadGatewayConfig({});
    expect(config).toMatchObject({ port: 3000, host: '0.0.0.0' });
    expect(config.sse).toMatchObject({ redis: undefined, historyLimit: undefined, heartbeatMs: undefined, maxConnections: undefined });
    expect(resolveSseOptions(config.sse)).toMatchObject({
      redis: undefined,
      historyLimit: 1000,
      heartbeatMs: 15_000,
      retryMs: 3_000,
      maxEventBytes: 65_536,
      maxConnections: undefined,
      http: { prefix: '', jwt: undefined, limits: { trustedProxies: [], publishRateWindowMs: 10_000 } },
    });
    expect(config.instanceId).toContain(String(process.pid));
    expect(config.sse.instanceId).toBe(config.instanceId);
  });

  it('reads every variable', () => {
    const config = loadGatewayConfig({
      PORT: '8080',
      REDIS_URL: 'redis://127.0.0.1:6379/0',
      SSE_HISTORY_LIMIT: '50',
      SSE_HEARTBEAT_MS: '1000',
      SSE_RETRY_MS: '0',
      SSE_MAX_EVENT_BYTES: '1024',
      SSE_MAX_CONNECTIONS: '10',
      INSTANCE_ID: 'gw-a',
    });
    expect(config).toMatchObject({ port: 8080, instanceId: 'gw-a' });
    expect(config.sse).toMatchObject({
      redis: 'redis://127.0.0.1:6379/0',
      historyLimit: 50,
      heartbeatMs: 1000,
      retryMs: 0,
      maxEventBytes: 1024,
      maxConnections: 10,
      instanceId: 'gw-a',
    });
  });

  it('names every bad value at once', () => {
    let error: unknown;
    try {
      loadGatewayConfig({ PORT: 'eighty', SSE_HISTORY_LIMIT: '0', REDIS_URL: 'http://x', SSE_HEARTBEAT_MS: '-5' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems;
    expect(problems).toHaveLength(4);
    expect(problems.join('\n')).toMatch(/PORT="eighty" must be a whole number from 0 to 65535/);
    expect(problems.join('\n')).toMatch(/SSE_HISTORY_LIMIT="0"/);
    expect(problems.join('\n')).toMatch(/REDIS_URL has scheme http: expected redis or rediss/);
    expect(problems.join('\n')).toMatch(/SSE_HEARTBEAT_MS="-5"/);
  });

  it('names the variable when the module refuses a value the environment could parse', () => {
    let error: unknown;
    try {
      loadGatewayConfig({ SSE_MAX_EVENT_BYTES: '2000000', SSE_LATEST_CHANNELS: 'a.*,bad pattern' });
    } catch (e) {
      error = e;
    }
    expect((error as ConfigError).problems).toEqual([
      'SSE_MAX_BUFFER_BYTES (1048576) must hold the largest event\'s frame: at least maxEventBytes + 512 = 2000512',
      'SSE_LATEST_CHANNELS has pattern "bad pattern": segment "bad pattern" may be *, ** or A-Z a-z 0-9 _ : - and {sub}',
    ]);
  });

  it('reads the heap settings: no compaction and 25% old-generation growth by default; a compaction every N new streams when asked, 0 growth to leave it to V8', () => {
    expect(loadGatewayConfig({})).toMatchObject({ heapCompactAfterStreams: 0, heapGrowingPercent: 25 });
    expect(loadGatewayConfig({ SSE_HEAP_COMPACT_AFTER_STREAMS: '1000', SSE_HEAP_GROWING_PERCENT: '0' })).toMatchObject({ heapCompactAfterStreams: 1_000, heapGrowingPercent: 0 });
    expect(() => loadGatewayConfig({ SSE_HEAP_GROWING_PERCENT: '1.5' })).toThrow(/SSE_HEAP_GROWING_PERCENT="1.5" must be a whole number from 0 to 1000/);
  });

  it('turns metrics on by default, with the channel allow-list of SSE_METRICS_CHANNELS, and off with SSE_METRICS=false', () => {
    expect(loadGatewayConfig({}).sse.metrics).toEqual({ channels: [] });
    expect(loadGatewayConfig({ SSE_METRICS_CHANNELS: 'orders.*, status' }).sse.metrics).toEqual({ channels: ['orders.*', 'status'] });
    expect(loadGatewayConfig({ SSE_METRICS: 'false', SSE_METRICS_CHANNELS: 'orders.*' }).sse.metrics).toBe(false);
    let error: unknown;
    try {
      loadGatewayConfig({ SSE_METRICS: 'maybe', SSE_METRICS_CHANNELS: 'orders.**.eu' });
    } catch (e) {
      error = e;
    }
    expect((error as ConfigError).problems).toEqual([
      'SSE_METRICS="maybe" must be true or false',
      'SSE_METRICS_CHANNELS has pattern "orders.**.eu": ** may only be the last segment',
    ]);
  });

  it('reads SSE_CHANNEL_TTL as seconds, or with a unit, into channelTtlMs; unset and 0 never expire', () => {
    const ttl = (value?: string) => loadGatewayConfig(value === undefined ? {} : { SSE_CHANNEL_TTL: value }).sse.channelTtlMs;
    expect(ttl()).toBeUndefined();
    expect(resolveSseOptions(loadGatewayConfig({}).sse).channelTtlMs).toBe(0);
    expect(ttl('0')).toBe(0);
    expect(ttl('90')).toBe(90_000);
    expect(ttl('1500ms')).toBe(1500);
    expect(ttl('30s')).toBe(30_000);
    expect(ttl('15m')).toBe(900_000);
    expect(ttl('24h')).toBe(86_400_000);
    expect(ttl('7d')).toBe(604_800_000);
    const problems = (value: string) => configProblems({ SSE_CHANNEL_TTL: value });
    const expected = 'must be 0 (off) or a duration from 1s to 365d: whole seconds, or a whole number with a unit (ms, s, m, h, d)';
    for (const bad of ['999ms', '1.5h', '-1', '10 s', '1w', '366d', 'forever']) {
      expect(problems(bad)).toEqual([`SSE_CHANNEL_TTL=${JSON.stringify(bad)} ${expected}`]);
    }
  });

  it('treats empty values as unset', () => {
    expect(loadGatewayConfig({ REDIS_URL: '', PORT: ' ' })).toMatchObject({ sse: { redis: undefined }, port: 3000 });
  });

  it('accepts a Redis Cluster as REDIS_URL or as REDIS_CLUSTER_NODES', () => {
    const url = 'rediss+cluster://app:secret@10.0.0.1:7000,10.0.0.2:7000';
    expect(loadGatewayConfig({ REDIS_URL: url }).sse.redis).toBe(url);
    expect(loadGatewayConfig({ REDIS_CLUSTER_NODES: ' 10.0.0.1:7000, 10.0.0.2:7001 ' }).sse.redis).toBe(
      'redis+cluster://10.0.0.1:7000,10.0.0.2:7001',
    );
  });

  it('says what is wrong with a cluster setting', () => {
    const problems = configProblems;
    expect(problems({ REDIS_URL: 'redis+cluster://h:1', REDIS_CLUSTER_NODES: 'h:1' })).toEqual([
      expect.stringMatching(/^REDIS_URL and REDIS_CLUSTER_NODES are both set: set one/),
    ]);
    expect(problems({ REDIS_CLUSTER_NODES: 'h:1,h:99999' })).toEqual([
      expect.stringMatching(/^REDIS_CLUSTER_NODES: "h:99999" is not host:port/),
    ]);
    expect(problems({ REDIS_URL: 'redis+cluster://h:1/2' })).toEqual([
      expect.stringMatching(/^REDIS_URL: a Redis Cluster URL is redis\+cluster:\/\/.*database 0 only/),
    ]);
    expect(problems({ REDIS_URL: 'cluster://h:1' })).toEqual([
      'REDIS_URL has scheme cluster: expected redis or rediss, redis+cluster or rediss+cluster for a cluster, or redis+sentinel or rediss+sentinel for Sentinel',
    ]);
  });
});
