import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveSseOptions } from '../sse/internals.js';
import { loadGatewayConfig } from './gateway.config.js';
import { configProblems } from './testing/config-problems.js';

// A self-signed P-256 certificate (CN redis.test, valid until 2126) and its key.
const CERT = `-----BEGIN CERTIFICATE-----
MIIBgTCCASegAwIBAgIUYA15TBWQu55s10KtodzsB9hjOR0wCgYIKoZIzj0EAwIw
FTETMBEGA1UEAwwKcmVkaXMudGVzdDAgFw0yNjEyMDEwMDQzMTZaGA8yMTI2MTEw
NzAwNDMxNlowFTETMBEGA1UEAwwKcmVkaXMudGVzdDBZMBMGByqGSM49AgEGCCqG
SM49AwEHA0IABAPSHhzeZ4w6EJiA3BWzdIE6tNA+TNWk6CH6WEebz8GzXiTpgE6c
Kdk1P8wx7Fs8Dx92TmyoKFpggs3YNX/CEOmjUzBRMB0GA1UdDgQWBBSBzXeSu0rq
0NsKijyIrbkyFhK0vDAfBgNVHSMEGDAWgBSBzXeSu0rq0NsKijyIrbkyFhK0vDAP
BgNVHRMBAf8EBTADAQH/MAoGCCqGSM49BAMCA0gAMEUCIBhUQK73sYSstjD20oBU
W3Hw4DTqg2Ia02HvCKslpaD8AiEA/WpO6pK1DGTCsDLJyIMZ1pPjijfEH5avzwNQ
qQ91SuM=
-----END CERTIFICATE-----
`;
const KEY = `-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgF4B/uDMph86cUFWl
Wl6EF9UiZADNRxDKcKhr+2DwrsKhRANCAAQD0h4c3meMOhCYgNwVs3SBOrTQPkzV
pOgh+lhHm8/Bs14k6YBOnCnZNT/MMexbPA8fdk5sqChaYILN2DV/whDp
-----END PRIVATE KEY-----
`;

let dir: string;
const file = (name: string, content: string) => {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
};
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'sse-redis-config-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const problems = configProblems;

describe('Redis settings', () => {
  it('are off by default', () => {
    const { sse } = loadGatewayConfig({});
    expect(sse).toMatchObject({ redis: undefined, redisTls: undefined, minReplicasAck: undefined, ackTimeoutMs: undefined });
    expect(resolveSseOptions(sse)).toMatchObject({ minReplicasAck: 0, ackTimeoutMs: 1000 });
  });

  it('read a Sentinel URL and the Sentinels credentials', () => {
    const config = loadGatewayConfig({
      REDIS_URL: 'redis+sentinel://app:pw@10.0.0.1:26379,10.0.0.2:26379/mymaster',
      SSE_REDIS_SENTINEL_USERNAME: 'sentinel-user',
      SSE_REDIS_SENTINEL_PASSWORD: 'sentinel-pw',
      SSE_REDIS_MIN_REPLICAS_ACK: '1',
      SSE_REDIS_ACK_TIMEOUT_MS: '500',
    });
    expect(config.sse).toMatchObject({
      redis: 'redis+sentinel://app:pw@10.0.0.1:26379,10.0.0.2:26379/mymaster',
      sentinelUsername: 'sentinel-user',
      sentinelPassword: 'sentinel-pw',
      minReplicasAck: 1,
      ackTimeoutMs: 500,
    });
  });

  it('read the TLS files: their contents go to every connection', () => {
    const config = loadGatewayConfig({
      REDIS_URL: 'rediss+sentinel://s1:26379/m',
      SSE_REDIS_TLS_CA: file('ca.pem', CERT),
      SSE_REDIS_TLS_CERT: file('client.pem', CERT),
      SSE_REDIS_TLS_KEY: file('client.key', KEY),
      SSE_REDIS_TLS_SERVERNAME: 'redis.test',
    });
    const tls = config.sse.redisTls!;
    expect(String(tls.ca)).toBe(CERT);
    expect(String(tls.cert)).toBe(CERT);
    expect(String(tls.key)).toBe(KEY);
    expect(tls.servername).toBe('redis.test');
  });

  it('name the setting of an unreadable, empty or mismatched TLS file', () => {
    const otherKey = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const missing = join(dir, 'missing.pem');
    expect(problems({ REDIS_URL: 'rediss://h', SSE_REDIS_TLS_CA: missing })).toEqual([`SSE_REDIS_TLS_CA: cannot read ${JSON.stringify(missing)} (ENOENT)`]);
    expect(problems({ REDIS_URL: 'rediss://h', SSE_REDIS_TLS_CA: dir })).toEqual([`SSE_REDIS_TLS_CA: cannot read ${JSON.stringify(dir)} (EISDIR)`]);
    const notPem = file('not.pem', 'hello');
    expect(problems({ REDIS_URL: 'rediss://h', SSE_REDIS_TLS_CA: notPem })).toEqual([`SSE_REDIS_TLS_CA: ${JSON.stringify(notPem)} holds no PEM certificate`]);
    expect(problems({ REDIS_URL: 'rediss://h', SSE_REDIS_TLS_CERT: file('c.pem', CERT) })).toEqual([
      'SSE_REDIS_TLS_CERT is set without SSE_REDIS_TLS_KEY: a client certificate needs its private key',
    ]);
    expect(problems({ REDIS_URL: 'rediss://h', SSE_REDIS_TLS_KEY: file('k.pem', KEY) })).toEqual([
      'SSE_REDIS_TLS_KEY is set without SSE_REDIS_TLS_CERT: a private key needs its client certificate',
    ]);
    expect(problems({ REDIS_URL: 'rediss://h', SSE_REDIS_TLS_CERT: file('c2.pem', CERT), SSE_REDIS_TLS_KEY: file('other.key', otherKey) })).toEqual([
      expect.stringMatching(/^SSE_REDIS_TLS_CERT \/ SSE_REDIS_TLS_KEY: .*key values mismatch/),
    ]);
    expect(problems({ REDIS_URL: 'rediss://h', SSE_REDIS_TLS_SERVERNAME: 'not a name' })).toEqual(['SSE_REDIS_TLS_SERVERNAME="not a name" must be a DNS name']);
  });

  it('refuse TLS settings without a TLS URL, and Sentinel credentials without Sentinel', () => {
    const ca = file('ca2.pem', CERT);
    expect(problems({ SSE_REDIS_TLS_CA: ca })).toEqual(['SSE_REDIS_TLS_CA set without REDIS_URL']);
    expect(problems({ REDIS_URL: 'redis://h', SSE_REDIS_TLS_CA: ca, SSE_REDIS_TLS_SERVERNAME: 'h' })).toEqual([
      'SSE_REDIS_TLS_CA, SSE_REDIS_TLS_SERVERNAME set but REDIS_URL does not use TLS: use rediss://, rediss+sentinel:// or rediss+cluster://',
    ]);
    expect(problems({ REDIS_CLUSTER_NODES: 'h:1', SSE_REDIS_TLS_CA: ca })).toEqual([expect.stringMatching(/^SSE_REDIS_TLS_CA set but REDIS_URL does not use TLS/)]);
    expect(problems({ REDIS_URL: 'rediss://h', SSE_REDIS_SENTINEL_PASSWORD: 'x' })).toEqual([
      "SSE_REDIS_SENTINEL_PASSWORD needs REDIS_URL=redis+sentinel://… (the Sentinels' own credentials; the master's go in the URL)",
    ]);
  });

  it('check the replica acknowledgement against the URL and the publish timeout', () => {
    expect(problems({ SSE_REDIS_MIN_REPLICAS_ACK: '1' })).toEqual(['SSE_REDIS_MIN_REPLICAS_ACK needs REDIS_URL: the in-memory broker has no replicas']);
    expect(problems({ REDIS_URL: 'redis+cluster://h:1', SSE_REDIS_MIN_REPLICAS_ACK: '1' })).toEqual([
      expect.stringMatching(/^SSE_REDIS_MIN_REPLICAS_ACK is not supported on a Redis Cluster/),
    ]);
    expect(problems({ REDIS_URL: 'redis://h', SSE_REDIS_MIN_REPLICAS_ACK: '1', SSE_REDIS_ACK_TIMEOUT_MS: '2000' })).toEqual([
      'SSE_REDIS_ACK_TIMEOUT_MS (2000) must be below SSE_PUBLISH_TIMEOUT_MS (2000)',
    ]);
    expect(problems({ REDIS_URL: 'redis://h', SSE_REDIS_MIN_REPLICAS_ACK: '-1' })).toEqual(['SSE_REDIS_MIN_REPLICAS_ACK="-1" must be a whole number from 0 to 100']);
    // Off, the timeout is not checked against anything.
    expect(problems({ REDIS_URL: 'redis://h', SSE_REDIS_ACK_TIMEOUT_MS: '5000' })).toEqual([]);
  });

  it('say what is wrong with a Sentinel URL', () => {
    expect(problems({ REDIS_URL: 'redis+sentinel://s1:26379' })).toEqual([expect.stringMatching(/^REDIS_URL: a Redis Sentinel URL is .*\/<master-name>/)]);
  });
});
