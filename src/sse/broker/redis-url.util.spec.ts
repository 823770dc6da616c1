import { isRedisClusterUrl, isRedisSentinelUrl, parseRedisNodeKey, parseRedisNodeList, parseRedisTarget, redisNodeKey } from './redis-url.util.js';

describe('parseRedisTarget', () => {
  it('passes a single-server URL through untouched', () => {
    expect(parseRedisTarget('redis://u:p@h:6380/2')).toEqual({ mode: 'single', url: 'redis://u:p@h:6380/2', tls: false });
    expect(parseRedisTarget('rediss://h')).toEqual({ mode: 'single', url: 'rediss://h', tls: true });
  });

  it('reads a cluster seed list, credentials and TLS', () => {
    expect(parseRedisTarget('redis+cluster://10.0.0.1:7000,10.0.0.2:7001,redis-3')).toEqual({
      mode: 'cluster',
      nodes: [
        { host: '10.0.0.1', port: 7000 },
        { host: '10.0.0.2', port: 7001 },
        { host: 'redis-3', port: 6379 },
      ],
      tls: false,
    });
    expect(parseRedisTarget('rediss+cluster://app:p%40ss:w@[::1]:7000,h:7001/0')).toEqual({
      mode: 'cluster',
      nodes: [
        { host: '::1', port: 7000 },
        { host: 'h', port: 7001 },
      ],
      username: 'app',
      password: 'p@ss:w',
      tls: true,
    });
    expect(parseRedisTarget('REDIS+CLUSTER://:secret@h:1/')).toMatchObject({ password: 'secret', tls: false });
    expect(parseRedisTarget('redis+cluster://:secret@h:1')).not.toHaveProperty('username');
  });

  it('says what is wrong with a bad cluster URL', () => {
    expect(() => parseRedisTarget('redis+cluster://')).toThrow(/no node given/);
    expect(() => parseRedisTarget('redis+cluster://h:1,,h:2')).toThrow(/"" is not host:port/);
    expect(() => parseRedisTarget('redis+cluster://h:0')).toThrow(/"h:0" is not host:port/);
    expect(() => parseRedisTarget('redis+cluster://h:70000')).toThrow(/"h:70000" is not host:port/);
    expect(() => parseRedisTarget('redis+cluster://h:1/3')).toThrow(/database 0 only, got "\/3"/);
    expect(() => parseRedisTarget('redis+cluster://h:1?tls=1')).toThrow(/query parameters are not supported/);
    expect(() => parseRedisTarget('redis+cluster://u:%zz@h:1')).toThrow(/percent-encoding/);
    expect(() => parseRedisTarget('redis+cluster://h h:1')).toThrow(/is not host:port/);
  });
});

describe('parseRedisTarget with Sentinel', () => {
  it('reads the Sentinels, the master name, the db, the master credentials and TLS', () => {
    expect(parseRedisTarget('redis+sentinel://10.0.0.1:26380,sentinel-2,[::1]:5000/mymaster')).toEqual({
      mode: 'sentinel',
      sentinels: [
        { host: '10.0.0.1', port: 26380 },
        { host: 'sentinel-2', port: 26379 },
        { host: '::1', port: 5000 },
      ],
      name: 'mymaster',
      db: 0,
      tls: false,
    });
    expect(parseRedisTarget('rediss+sentinel://app:p%40ss@s1:26379/orders%2Dmaster/3/')).toEqual({
      mode: 'sentinel',
      sentinels: [{ host: 's1', port: 26379 }],
      name: 'orders-master',
      db: 3,
      username: 'app',
      password: 'p@ss',
      tls: true,
    });
    expect(parseRedisTarget('REDIS+SENTINEL://:secret@s1/m')).toMatchObject({ mode: 'sentinel', password: 'secret', tls: false });
    expect(parseRedisTarget('redis+sentinel://:secret@s1/m')).not.toHaveProperty('username');
  });

  it('says what is wrong with a bad Sentinel URL', () => {
    expect(() => parseRedisTarget('redis+sentinel://s1:26379')).toThrow(/^a Redis Sentinel URL is .*the path must be \/<master-name>/);
    expect(() => parseRedisTarget('redis+sentinel://s1:26379/')).toThrow(/the path must be/);
    expect(() => parseRedisTarget('redis+sentinel://s1/m/x')).toThrow(/the path must be .*got "\/m\/x"/);
    expect(() => parseRedisTarget('redis+sentinel:///m')).toThrow(/no node given/);
    expect(() => parseRedisTarget('redis+sentinel://s1:0/m')).toThrow(/"s1:0" is not host:port/);
    expect(() => parseRedisTarget('redis+sentinel://s1/m?role=slave')).toThrow(/Sentinel URL.*query parameters are not supported/);
    expect(() => parseRedisTarget('redis+sentinel://s1/%zz')).toThrow(/percent-encoding in the master name/);
  });
});

describe('node lists and keys', () => {
  it('parses REDIS_CLUSTER_NODES, trimming spaces', () => {
    expect(parseRedisNodeList(' a:1 , b:2')).toEqual([
      { host: 'a', port: 1 },
      { host: 'b', port: 2 },
    ]);
    expect(() => parseRedisNodeList('')).toThrow(/no node given/);
  });

  it('round-trips ioredis node keys, IPv6 included', () => {
    expect(redisNodeKey({ host: '::1', port: 7000 })).toBe('::1:7000');
    expect(parseRedisNodeKey('::1:7000')).toEqual({ host: '::1', port: 7000 });
    expect(parseRedisNodeKey('127.0.0.1:30001')).toEqual({ host: '127.0.0.1', port: 30001 });
  });

  it('tells cluster and Sentinel URLs apart', () => {
    expect(isRedisClusterUrl('rediss+cluster://h')).toBe(true);
    expect(isRedisClusterUrl('redis://h')).toBe(false);
    expect(isRedisClusterUrl('redis+sentinel://h/m')).toBe(false);
    expect(isRedisSentinelUrl('Rediss+Sentinel://h/m')).toBe(true);
    expect(isRedisSentinelUrl('redis+cluster://h')).toBe(false);
  });
});
