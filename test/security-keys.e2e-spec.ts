import { exportJWK, SignJWT, type JWK } from 'jose';
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { startGateway, type TestGateway } from './support/gateway-app.js';
import { freePort } from './support/ports.js';
import { post, request } from './support/sse-client.js';
import { signToken, unsignedToken } from './support/tokens.js';

// Asymmetric keys: RS256 and ES256 with a PEM public key, and keys from a JWKS url.

const CLAIMS = { sse: { publish: ['orders.*'], subscribe: ['orders.*'] } };
const pem = (key: KeyObject) => key.export({ type: 'spki', format: 'pem' }).toString();
const rsa = () => generateKeyPairSync('rsa', { modulusLength: 2048 });
const ec = () => generateKeyPairSync('ec', { namedCurve: 'P-256' });

async function publishWith(gateway: TestGateway, token: string, channel = 'orders.eu') {
  return post(`${gateway.url}/channels/${channel}/events`, { data: 1 }, { authorization: `Bearer ${token}` });
}
const refused = (message: string) => ({ statusCode: 401, error: 'Unauthorized', message: `the token is not accepted: ${message}` });

describe('RS256 with a PEM public key', () => {
  const keys = rsa();
  let gateway: TestGateway;
  beforeAll(async () => {
    gateway = await startGateway({ SSE_JWT_PUBLIC_KEY: pem(keys.publicKey) });
  });
  afterAll(() => gateway.close());

  it('accepts a token signed with the private key', async () => {
    const answer = await publishWith(gateway, await signToken(CLAIMS, { alg: 'RS256', key: keys.privateKey, sub: 'svc' }));
    expect(answer.status).toBe(201);
    const denied = await publishWith(gateway, await signToken(CLAIMS, { alg: 'RS256', key: keys.privateKey }), 'billing');
    expect(denied.status).toBe(403);
  });

  it('refuses another key, key confusion (HS256 keyed with the public key), ES256 and none', async () => {
    const cases: [string, string][] = [
      [await signToken(CLAIMS, { alg: 'RS256', key: rsa().privateKey }), 'its signature does not verify'],
      [await signToken(CLAIMS, { alg: 'HS256', key: new TextEncoder().encode(pem(keys.publicKey)) }), 'its algorithm is not accepted'],
      [await signToken(CLAIMS, { alg: 'ES256', key: ec().privateKey }), 'its algorithm is not accepted'],
      [await signToken(CLAIMS, { alg: 'PS256', key: keys.privateKey }), 'its algorithm is not accepted'],
      [unsignedToken(CLAIMS), 'its algorithm is not accepted'],
    ];
    for (const [token, reason] of cases) {
      const answer = await publishWith(gateway, token);
      expect({ reason, status: answer.status, body: answer.body }).toEqual({ reason, status: 401, body: refused(reason) });
    }
  });
});

describe('ES256 with a PEM public key', () => {
  const keys = ec();
  let gateway: TestGateway;
  beforeAll(async () => {
    gateway = await startGateway({ SSE_JWT_PUBLIC_KEY: pem(keys.publicKey).replace(/\n/g, '\\n') });
  });
  afterAll(() => gateway.close());

  it('accepts ES256 from its key and refuses RS256', async () => {
    expect((await publishWith(gateway, await signToken(CLAIMS, { alg: 'ES256', key: keys.privateKey }))).status).toBe(201);
    const answer = await publishWith(gateway, await signToken(CLAIMS, { alg: 'RS256', key: rsa().privateKey }));
    expect(answer.body).toEqual(refused('its algorithm is not accepted'));
  });
});

describe('keys from SSE_JWKS_URL', () => {
  const rsaKeys = rsa();
  const ecKeys = ec();
  let jwks: http.Server;
  let fetches = 0;
  let gateway: TestGateway;

  beforeAll(async () => {
    const keys: JWK[] = [
      { ...(await exportJWK(rsaKeys.publicKey)), kid: 'rsa-1', alg: 'RS256', use: 'sig' },
      { ...(await exportJWK(ecKeys.publicKey)), kid: 'ec-1', alg: 'ES256', use: 'sig' },
    ];
    jwks = http.createServer((_req, res) => {
      fetches++;
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys }));
    });
    await new Promise<void>((resolve) => jwks.listen(0, '127.0.0.1', resolve));
    const { port } = jwks.address() as AddressInfo;
    gateway = await startGateway({ SSE_JWKS_URL: `http://127.0.0.1:${port}/.well-known/jwks.json` });
  });
  afterAll(async () => {
    await gateway.close();
    await new Promise((resolve) => jwks.close(resolve));
  });

  const sign = async (alg: string, key: KeyObject, kid: string) => {
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT(CLAIMS).setProtectedHeader({ alg, kid }).setExpirationTime(now + 600).sign(key);
  };

  it('verifies RS256 and ES256 tokens by kid, fetching the set once', async () => {
    expect((await publishWith(gateway, await sign('RS256', rsaKeys.privateKey, 'rsa-1'))).status).toBe(201);
    expect((await publishWith(gateway, await sign('ES256', ecKeys.privateKey, 'ec-1'))).status).toBe(201);
    expect((await publishWith(gateway, await sign('RS256', rsaKeys.privateKey, 'rsa-1'))).status).toBe(201);
    expect(fetches).toBe(1);
  });

  it('refuses a kid it does not know and a key it did not publish', async () => {
    const other = rsa();
    expect((await publishWith(gateway, await sign('RS256', other.privateKey, 'rsa-2'))).body).toEqual(refused('no known key matches it'));
    expect((await publishWith(gateway, await sign('RS256', other.privateKey, 'rsa-1'))).body).toEqual(refused('its signature does not verify'));
  });

  it('answers 503 with Retry-After while the JWKS url cannot be reached', async () => {
    const port = await freePort();
    const down = await startGateway({ SSE_JWKS_URL: `http://127.0.0.1:${port}/jwks.json` });
    try {
      const answer = await request('POST', `${down.url}/channels/orders.eu/events`, {
        json: { data: 1 },
        headers: { authorization: `Bearer ${await sign('RS256', rsaKeys.privateKey, 'rsa-1')}` },
      });
      expect(answer.status).toBe(503);
      expect(answer.headers['retry-after']).toBe('5');
      expect(answer.body).toEqual({ statusCode: 503, error: 'Service Unavailable', message: 'the token keys cannot be fetched right now; retry shortly' });
    } finally {
      await down.close();
    }
  });
});
