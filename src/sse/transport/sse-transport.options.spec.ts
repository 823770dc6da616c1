import { Transport } from '@nestjs/microservices';
import { sseTransportOptions } from './sse-transport.options.js';

const retry = { retryAttempts: Number.MAX_SAFE_INTEGER, retryDelay: 1000, connectionName: 'sse:transport' };

describe('sseTransportOptions', () => {
  it('reads a single-server URL as ioredis does: host, port, user, password, database, query options', () => {
    expect(sseTransportOptions('redis://127.0.0.1:6380')).toEqual({ transport: Transport.REDIS, options: { host: '127.0.0.1', port: 6380, ...retry } });
    expect(sseTransportOptions('redis://app:p%40ss@redis.internal:6379/2?family=6').options).toEqual({
      host: 'redis.internal',
      port: 6379,
      username: 'app',
      password: 'p@ss',
      db: 2,
      family: 6,
      ...retry,
    });
    expect(sseTransportOptions('redis://:secret@[::1]').options).toEqual({ host: '::1', username: '', password: 'secret', ...retry });
  });

  it('turns TLS on for rediss://', () => {
    expect(sseTransportOptions('rediss://redis.example.com:6380').options).toEqual({ host: 'redis.example.com', port: 6380, tls: {}, ...retry });
  });

  it('connects to one seed node of a cluster, with its credentials and TLS', () => {
    const first = <T>(items: readonly T[]) => items[0]!;
    const last = <T>(items: readonly T[]) => items[items.length - 1]!;
    expect(sseTransportOptions('redis+cluster://10.0.0.1:7000,10.0.0.2:7001', {}, first).options).toEqual({ host: '10.0.0.1', port: 7000, ...retry });
    expect(sseTransportOptions('rediss+cluster://app:pw@10.0.0.1:7000,10.0.0.2:7001', {}, last).options).toEqual({
      host: '10.0.0.2',
      port: 7001,
      username: 'app',
      password: 'pw',
      tls: {},
      ...retry,
    });
    const hosts = new Set(Array.from({ length: 50 }, () => sseTransportOptions('redis+cluster://a:1,b:2,c:3').options.host));
    expect([...hosts].every((host) => ['a', 'b', 'c'].includes(host!))).toBe(true);
  });

  it('follows the master a Sentinel group names, with the Sentinels\' own credentials and the TLS material', () => {
    const tls = { ca: 'CA PEM', servername: 'redis.internal' };
    expect(sseTransportOptions('rediss+sentinel://app:pw@s1:26379,s2:26380/mymaster', { tls, sentinelPassword: 'spw' }).options).toEqual({
      sentinels: [{ host: 's1', port: 26379 }, { host: 's2', port: 26380 }],
      name: 'mymaster',
      role: 'master',
      db: 0,
      username: 'app',
      password: 'pw',
      sentinelPassword: 'spw',
      tls,
      enableTLSForSentinelMode: true,
      sentinelTLS: tls,
      ...retry,
    });
  });

  it('refuses what it cannot consume from, saying what it takes', () => {
    expect(() => sseTransportOptions('http://redis:6379')).toThrow(
      'the sse.publish transport cannot use a http:// URL: give it redis://, rediss://, a redis+sentinel:// URL or a redis+cluster:// seed list',
    );
    expect(() => sseTransportOptions('not a url')).toThrow(/cannot use a malformed URL/);
  });
});
