import { resolveSseOptions } from './sse.options.js';

describe('resolveSseOptions: highly available Redis', () => {
  it('defaults to no replica acknowledgement, no TLS material and no Sentinel credentials', () => {
    expect(resolveSseOptions({ redis: 'redis://h' })).toMatchObject({
      minReplicasAck: 0,
      ackTimeoutMs: 1000,
      redisTls: undefined,
      sentinelUsername: undefined,
      sentinelPassword: undefined,
    });
  });

  it('takes them with a URL they fit', () => {
    const options = resolveSseOptions({
      redis: 'rediss+sentinel://s1:26379,s2:26379/mymaster',
      redisTls: { ca: 'PEM', servername: 'redis.internal' },
      sentinelPassword: 'pw',
      minReplicasAck: 1,
      ackTimeoutMs: 500,
    });
    expect(options).toMatchObject({ minReplicasAck: 1, ackTimeoutMs: 500, sentinelPassword: 'pw', redisTls: { ca: 'PEM', servername: 'redis.internal' } });
  });

  it('refuses, naming the option, what cannot work', () => {
    const refuse = (options: Parameters<typeof resolveSseOptions>[0]) => () => resolveSseOptions(options);
    expect(refuse({ redis: 'rediss://h', redisTls: { cert: 'PEM' } })).toThrow('redisTls needs cert and key together');
    expect(refuse({ redis: 'redis://h', redisTls: { ca: 'PEM' } })).toThrow('redisTls is set but the redis URL does not use TLS');
    expect(refuse({ redis: 'redis://h', sentinelPassword: 'pw' })).toThrow('sentinelPassword needs a redis+sentinel:// URL');
    expect(refuse({ minReplicasAck: 1 })).toThrow('minReplicasAck needs a redis URL');
    expect(refuse({ redis: 'redis+cluster://h:1', minReplicasAck: 1 })).toThrow('minReplicasAck is not supported on a Redis Cluster');
    expect(refuse({ redis: 'redis://h', minReplicasAck: 1, ackTimeoutMs: 2000 })).toThrow('ackTimeoutMs (2000) must be below publishTimeoutMs (2000)');
    expect(refuse({ redis: 'redis://h', minReplicasAck: 1.5 })).toThrow('minReplicasAck must be 0 (off) or a positive integer');
    expect(refuse({ redis: 'redis+sentinel://s1/' })).toThrow(/a Redis Sentinel URL is/);
  });
});

describe('resolveSseOptions: channel lifecycle', () => {
  it('never expires channels by default, and takes 0 or a TTL of at least a second', () => {
    expect(resolveSseOptions({}).channelTtlMs).toBe(0);
    expect(resolveSseOptions({ channelTtlMs: 0 }).channelTtlMs).toBe(0);
    expect(resolveSseOptions({ channelTtlMs: 1000 }).channelTtlMs).toBe(1000);
    expect(resolveSseOptions({ redis: 'redis://h', channelTtlMs: 86_400_000 }).channelTtlMs).toBe(86_400_000);
    for (const bad of [999, -1, 1500.5, Number.NaN]) {
      expect(() => resolveSseOptions({ channelTtlMs: bad })).toThrow(`channelTtlMs must be 0 (never expire) or a whole number of ms from 1000, got ${bad}`);
    }
  });
});
