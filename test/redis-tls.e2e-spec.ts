import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import { runGatewayExpectingExit, startGatewayProcess, type GatewayProcess } from './support/gateway-process.js';
import { freePort } from './support/ports.js';
import { startRedis, type RedisServer } from './support/redis-server.js';
import { openStream, post, request } from './support/sse-client.js';
import { signToken, TEST_SECRET } from './support/tokens.js';

const run = promisify(execFile);

// The built gateway on a redis-server that speaks TLS only on its TLS port and requires a
// client certificate. Certificates are made with openssl in a temp dir: a CA, a server
// certificate for the name redis.test only (so connecting to 127.0.0.1 verifies only with
// SSE_REDIS_TLS_SERVERNAME), a client certificate, and a second CA that signed nothing here.
let dir: string;
let redis: RedisServer;
let tlsPort: number;
const files = { ca: '', otherCa: '', serverCert: '', serverKey: '', clientCert: '', clientKey: '' };
const gateways: GatewayProcess[] = [];

async function openssl(...args: string[]): Promise<void> {
  await run(process.env.OPENSSL_BIN ?? 'openssl', args, { cwd: dir }).catch((error: Error & { code?: string }) => {
    throw new Error(error.code === 'ENOENT' ? 'openssl not found: install it (apt-get install openssl) or set OPENSSL_BIN' : error.message);
  });
}

async function makeCa(name: string): Promise<void> {
  await openssl('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.pem`, '-days', '2', '-subj', `/CN=${name}`);
}

async function makeSigned(name: string, extensions: string): Promise<void> {
  writeFileSync(join(dir, `${name}.ext`), `${extensions}\n`);
  await openssl('req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${name}`);
  await openssl('x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', `${name}.pem`, '-days', '2', '-extfile', `${name}.ext`);
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sse-redis-tls-'));
  await makeCa('ca');
  await makeCa('other-ca');
  await makeSigned('server', 'subjectAltName=DNS:redis.test');
  await makeSigned('client', 'extendedKeyUsage=clientAuth');
  Object.assign(files, {
    ca: join(dir, 'ca.pem'),
    otherCa: join(dir, 'other-ca.pem'),
    serverCert: join(dir, 'server.pem'),
    serverKey: join(dir, 'server.key'),
    clientCert: join(dir, 'client.pem'),
    clientKey: join(dir, 'client.key'),
  });
  tlsPort = await freePort();
  // The plain port stays for the test's own look at CLIENT LIST; the gateway gets the TLS one.
  redis = await startRedis({
    args: ['--tls-port', String(tlsPort), '--tls-cert-file', files.serverCert, '--tls-key-file', files.serverKey, '--tls-ca-cert-file', files.ca, '--tls-auth-clients', 'yes'],
  });
}, 30_000);

afterEach(async () => {
  await Promise.all(gateways.splice(0).map((g) => g.stop()));
});

afterAll(async () => {
  await redis?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** `timeoutMs`: a gateway that cannot reach Redis waits 5 s for it before it listens. */
async function startGateway(env: Record<string, string>, timeoutMs = 15_000): Promise<GatewayProcess> {
  const gateway = await startGatewayProcess({ REDIS_URL: `rediss://127.0.0.1:${tlsPort}`, SSE_REBALANCE_RATIO: '0', SSE_PUBLISH_TIMEOUT_MS: '1000', ...env }, { timeoutMs });
  gateways.push(gateway);
  return gateway;
}

const goodTls = () => ({
  SSE_REDIS_TLS_CA: files.ca,
  SSE_REDIS_TLS_CERT: files.clientCert,
  SSE_REDIS_TLS_KEY: files.clientKey,
  SSE_REDIS_TLS_SERVERNAME: 'redis.test',
});

describe('the gateway on a TLS Redis', () => {
  it('connects every Redis connection over TLS with the CA, the client certificate and the server name', async () => {
    const prefix = `tls-${Date.now()}:`;
    // A publish rate limit, so the rate counters' connection exists too.
    const gateway = await startGateway({ ...goodTls(), SSE_KEY_PREFIX: prefix, SSE_PUBLISH_RATE_LIMIT: '1000', SSE_JWT_SECRET: TEST_SECRET, SSE_PUBLIC_CHANNELS: '**' });
    expect(gateway.output()).toMatch(/Redis command connection ready/);
    expect(gateway.output()).not.toMatch(/TLS handshake failed/);
    const url = `${gateway.url}/channels/secure/events`;
    const stream = await openStream(url);
    await stream.waitUntil(() => stream.parser.lastEventId !== '');
    const token = await signToken({ sse: { publish: ['secure'] } }, { sub: 'alice' });
    const published = await post(url, { data: 'over tls' }, { authorization: `Bearer ${token}` });
    expect(published.status).toBe(201);
    const [event] = await stream.waitForEvents(1);
    expect(event!.lastEventId).toBe(published.body.id);
    stream.close();

    // Seen from the server: each named connection of the gateway came in on the TLS port.
    const plain = new Redis(redis.port, '127.0.0.1');
    try {
      const clients = String(await plain.client('LIST')).trim().split('\n');
      const byName = (name: string) => clients.filter((line) => line.includes(` name=${name} `));
      for (const name of ['sse:cmd', 'sse:sub', 'sse-presence', 'sse-gateway:ratelimit']) {
        expect(byName(name)).toEqual([expect.stringContaining(` laddr=127.0.0.1:${tlsPort} `)]);
      }
    } finally {
      plain.disconnect();
    }
  }, 30_000);

  it('refuses a server whose certificate another CA signed, or that is issued for another name, and says why', async () => {
    const [wrongCa, noName] = await Promise.all([
      startGateway({ ...goodTls(), SSE_REDIS_TLS_CA: files.otherCa }, 40_000),
      startGateway({ ...goodTls(), SSE_REDIS_TLS_SERVERNAME: '' }, 40_000),
    ]);
    expect(wrongCa.output()).toMatch(
      /Redis command connection: TLS handshake failed \((self-signed certificate in certificate chain|unable to verify the first certificate|unable to get local issuer certificate)\); check the CA, client certificate and server name settings/,
    );
    expect(noName.output()).toMatch(
      /Redis command connection: TLS handshake failed \(Hostname\/IP does not match certificate's altnames: IP: 127\.0\.0\.1 is not in the cert's list: \); check the CA/,
    );
    for (const gateway of [wrongCa, noName]) {
      const refused = await post(`${gateway.url}/channels/secure/events`, { data: 1 });
      expect(refused.status).toBe(503);
      expect((await request('GET', `${gateway.url}/health`)).status).toBe(503);
    }
  }, 90_000);

  it('stops at start, naming the setting, on a certificate without its key or an unreadable CA', async () => {
    const base = { REDIS_URL: `rediss://127.0.0.1:${tlsPort}`, PORT: '0' };
    const withoutKey = await runGatewayExpectingExit({ ...base, SSE_REDIS_TLS_CERT: files.clientCert });
    expect(withoutKey.code).toBe(1);
    expect(withoutKey.output).toContain('SSE_REDIS_TLS_CERT is set without SSE_REDIS_TLS_KEY: a client certificate needs its private key');
    const missing = join(dir, 'missing.pem');
    const unreadable = await runGatewayExpectingExit({ ...base, SSE_REDIS_TLS_CA: missing });
    expect(unreadable.code).toBe(1);
    expect(unreadable.output).toContain(`SSE_REDIS_TLS_CA: cannot read ${JSON.stringify(missing)} (ENOENT)`);
  }, 30_000);
});
