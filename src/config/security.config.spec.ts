import { generateKeyPairSync } from 'node:crypto';
import { resolveSseOptions } from '../sse/internals.js';
import { loadGatewayConfig } from './gateway.config.js';
import { configProblems } from './testing/config-problems.js';

const SECRET = 'a-test-secret-that-is-at-least-32-bytes-long';

/** The HTTP API's settings as the module resolves them from what the environment gave. */
const httpOf = (env: NodeJS.ProcessEnv) => resolveSseOptions(loadGatewayConfig(env).sse).http!;

const problemsOf = configProblems;

describe('security settings', () => {
  it('are all off by default', () => {
    expect(httpOf({})).toMatchObject({
      jwt: undefined,
      limits: { trustedProxies: [], maxConnectionsPerIp: undefined, publishRateLimit: undefined },
    });
    expect(loadGatewayConfig({}).server).toMatchObject({ corsOrigins: [], trustedProxies: [], accessLog: false });
  });

  it('derive the same stream token key from SSE_JWT_SECRET on every instance', () => {
    const a = httpOf({ SSE_JWT_SECRET: SECRET }).jwt!;
    const b = httpOf({ SSE_JWT_SECRET: SECRET }).jwt!;
    expect(a.key).toEqual({ kind: 'secret', secret: new TextEncoder().encode(SECRET) });
    expect(a).toMatchObject({ streamTokenSecretSource: 'derived', streamTokenTtlS: 60 });
    expect(Buffer.from(a.streamTokenSecret).equals(Buffer.from(b.streamTokenSecret))).toBe(true);
    expect(Buffer.from(a.streamTokenSecret).equals(Buffer.from(SECRET))).toBe(false);
    expect(httpOf({ SSE_JWT_SECRET: SECRET, SSE_STREAM_TOKEN_SECRET: `${SECRET}-2` }).jwt!.streamTokenSecretSource).toBe('set');
    expect(httpOf({ SSE_JWKS_URL: 'https://idp.example.com/jwks' }).jwt!.streamTokenSecretSource).toBe('random');
  });

  it('take an RSA or P-256 public key in PEM, with \\n escapes', () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ type: 'spki', format: 'pem' }).toString();
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ type: 'spki', format: 'pem' }).toString();
    expect(httpOf({ SSE_JWT_PUBLIC_KEY: rsa }).jwt!.key).toMatchObject({ kind: 'public-key', algorithm: 'RS256' });
    expect(httpOf({ SSE_JWT_PUBLIC_KEY: ec.replace(/\n/g, '\\n') }).jwt!.key).toMatchObject({ kind: 'public-key', algorithm: 'ES256' });
    const ed = generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'pem' }).toString();
    expect(problemsOf({ SSE_JWT_PUBLIC_KEY: ed })).toEqual(['SSE_JWT_PUBLIC_KEY must be an RSA (RS256) or P-256 EC (ES256) public key']);
    expect(problemsOf({ SSE_JWT_PUBLIC_KEY: 'nope' })).toEqual(['SSE_JWT_PUBLIC_KEY is not a PEM public key (-----BEGIN PUBLIC KEY----- …)']);
  });

  it('name every bad security value at once', () => {
    expect(
      problemsOf({
        SSE_JWT_SECRET: 'short',
        SSE_PUBLIC_CHANNELS: 'news.*, bad pattern',
        SSE_TRUSTED_PROXIES: '10.0.0.0/8, 10.0.0.1/33, proxy.local',
      }),
    ).toEqual([
      'SSE_JWT_SECRET must be at least 32 bytes (HS256 needs a key as long as its hash)',
      'SSE_PUBLIC_CHANNELS has pattern "bad pattern": segment "bad pattern" may be *, ** or A-Z a-z 0-9 _ : - and {sub}',
      'SSE_TRUSTED_PROXIES has "10.0.0.1/33", which is not an IP address or CIDR range',
      'SSE_TRUSTED_PROXIES has "proxy.local", which is not an IP address or CIDR range',
    ]);
    expect(problemsOf({ SSE_JWKS_URL: 'http://idp.example.com/jwks' })).toEqual(['SSE_JWKS_URL must use https (http only for localhost)']);
    // Values the environment cannot even parse are named first.
    expect(problemsOf({ SSE_CORS_ORIGINS: 'https://app.example.com, https://app.example.com/path', SSE_MAX_CONNECTIONS_PER_IP: '0', SSE_ACCESS_LOG: 'maybe' })).toEqual([
      'SSE_MAX_CONNECTIONS_PER_IP="0" must be a whole number from 1 to 9007199254740991',
      'SSE_CORS_ORIGINS: "https://app.example.com/path" is not an origin like https://app.example.com',
      'SSE_ACCESS_LOG="maybe" must be true or false',
    ]);
  });

  it('refuse two key settings at once, and a stream key equal to the JWT secret', () => {
    expect(problemsOf({ SSE_JWT_SECRET: SECRET, SSE_JWKS_URL: 'https://idp.example.com/jwks' })).toEqual([
      'set only one of SSE_JWT_SECRET, SSE_JWT_PUBLIC_KEY and SSE_JWKS_URL',
    ]);
    expect(problemsOf({ SSE_JWT_SECRET: SECRET, SSE_STREAM_TOKEN_SECRET: SECRET })).toEqual([
      'SSE_STREAM_TOKEN_SECRET must differ from the JWT secret (leave it unset to derive one)',
    ]);
  });

  it('read lists, limits and timeouts', () => {
    const env = {
      SSE_JWKS_URL: 'http://127.0.0.1:9999/jwks',
      SSE_JWT_AUDIENCE: 'sse',
      SSE_PUBLIC_CHANNELS: 'news.*,status',
      SSE_CORS_ORIGINS: '*',
      SSE_TRUSTED_PROXIES: '10.0.0.0/8,::1',
      SSE_MAX_CONNECTIONS_PER_IP: '20',
      SSE_PUBLISH_RATE_LIMIT: '100',
      SSE_PUBLISH_RATE_WINDOW_MS: '1000',
      SSE_HEADERS_TIMEOUT_MS: '5000',
      SSE_ACCESS_LOG: 'true',
    };
    expect(httpOf(env)).toMatchObject({
      jwt: { key: { kind: 'jwks', url: 'http://127.0.0.1:9999/jwks' }, audience: 'sse', publicChannels: ['news.*', 'status'] },
      limits: { trustedProxies: ['10.0.0.0/8', '::1'], maxConnectionsPerIp: 20, publishRateLimit: 100, publishRateWindowMs: 1000 },
    });
    expect(loadGatewayConfig(env).server).toMatchObject({ corsOrigins: ['*'], trustedProxies: ['10.0.0.0/8', '::1'], headersTimeoutMs: 5000, accessLog: true });
  });
});
