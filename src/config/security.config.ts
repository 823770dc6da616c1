import { createHash, createPublicKey, hkdfSync, randomBytes, type KeyObject } from 'node:crypto';
import { BlockList, isIP } from 'node:net';
import type { EnvReader } from './env-parsers.js';
import { parseChannelPattern } from '../sse/index.js';

/** How tokens are verified: a shared HS256 secret, a public key (RS256/ES256) or a JWKS URL. */
export type JwtKeyConfig =
  | { readonly kind: 'secret'; readonly secret: Uint8Array }
  | { readonly kind: 'public-key'; readonly key: KeyObject; readonly algorithm: 'RS256' | 'ES256' }
  | { readonly kind: 'jwks'; readonly url: string };

/** Security settings (README: Security). Everything is off by default, for local use. */
export interface SecurityConfig {
  /** Unset: no authorization at all (the gateway says so loudly at start). */
  readonly jwt: JwtKeyConfig | undefined;
  readonly jwtAudience: string | undefined;
  readonly jwtIssuer: string | undefined;
  readonly clockToleranceS: number;
  /** Channel patterns anyone may subscribe to without a token. */
  readonly publicChannels: readonly string[];
  /** HS256 key of the stream tokens `POST /sync` issues; must be the same on every instance. */
  readonly streamTokenSecret: Uint8Array;
  /** Where the stream token key came from: set, derived from SSE_JWT_SECRET, or random (one instance only). */
  readonly streamTokenSecretSource: 'set' | 'derived' | 'random';
  /** Seconds a sync-issued stream url may be opened within. */
  readonly streamTokenTtlS: number;
  /** Allowed browser origins (`*`: any, without credentials); empty: no CORS headers. */
  readonly corsOrigins: readonly string[];
  /** Peers whose `X-Forwarded-For` is believed (addresses and CIDR ranges). */
  readonly trustedProxies: readonly string[];
  readonly maxConnectionsPerIp: number | undefined;
  /** Publishes per window per token subject (or client address); unset: no limit. */
  readonly publishRateLimit: number | undefined;
  readonly publishRateWindowMs: number;
  readonly headersTimeoutMs: number;
  readonly requestTimeoutMs: number;
  readonly keepAliveTimeoutMs: number;
  readonly idleTimeoutMs: number;
  /** One log line per request (method, redacted URL, status, client address). */
  readonly accessLog: boolean;
}

const MIN_SECRET_BYTES = 32;

/** Reads the security settings; problems go to `read.problems` with the others. */
export function readSecurityConfig(read: EnvReader): SecurityConfig {
  const secret = secretOf(read, 'SSE_JWT_SECRET');
  const publicKey = publicKeyOf(read);
  const jwksUrl = jwksUrlOf(read);
  const keys = [secret, publicKey, jwksUrl].filter((k) => k !== undefined);
  if (keys.length > 1) read.problems.push('set only one of SSE_JWT_SECRET, SSE_JWT_PUBLIC_KEY and SSE_JWKS_URL');
  const jwt: JwtKeyConfig | undefined =
    secret !== undefined ? { kind: 'secret', secret } : publicKey ?? (jwksUrl !== undefined ? { kind: 'jwks', url: jwksUrl } : undefined);

  const streamSecret = secretOf(read, 'SSE_STREAM_TOKEN_SECRET');
  if (streamSecret !== undefined && secret !== undefined && Buffer.from(streamSecret).equals(Buffer.from(secret))) {
    read.problems.push('SSE_STREAM_TOKEN_SECRET must differ from SSE_JWT_SECRET (leave it unset to derive one)');
  }
  const [streamTokenSecret, streamTokenSecretSource] =
    streamSecret !== undefined
      ? [streamSecret, 'set' as const]
      : secret !== undefined
        ? [new Uint8Array(hkdfSync('sha256', secret, 'sse-gateway', 'stream-token-v1', 32)), 'derived' as const]
        : [new Uint8Array(randomBytes(32)), 'random' as const];

  return {
    jwt,
    jwtAudience: read.string('SSE_JWT_AUDIENCE'),
    jwtIssuer: read.string('SSE_JWT_ISSUER'),
    clockToleranceS: read.integer('SSE_JWT_CLOCK_TOLERANCE_S', 5, 0, 300),
    publicChannels: patternList(read, 'SSE_PUBLIC_CHANNELS'),
    streamTokenSecret,
    streamTokenSecretSource,
    streamTokenTtlS: read.integer('SSE_STREAM_TOKEN_TTL_S', 60, 1, 3600),
    corsOrigins: originList(read),
    trustedProxies: proxyList(read),
    maxConnectionsPerIp: read.optionalInteger('SSE_MAX_CONNECTIONS_PER_IP', 1),
    publishRateLimit: read.optionalInteger('SSE_PUBLISH_RATE_LIMIT', 1),
    publishRateWindowMs: read.integer('SSE_PUBLISH_RATE_WINDOW_MS', 10_000, 100, 3_600_000),
    headersTimeoutMs: read.integer('SSE_HEADERS_TIMEOUT_MS', 10_000, 100, 600_000),
    requestTimeoutMs: read.integer('SSE_REQUEST_TIMEOUT_MS', 30_000, 100, 600_000),
    keepAliveTimeoutMs: read.integer('SSE_KEEP_ALIVE_TIMEOUT_MS', 5_000, 100, 600_000),
    idleTimeoutMs: read.integer('SSE_IDLE_TIMEOUT_MS', 30_000, 100, 3_600_000),
    accessLog: booleanOf(read, 'SSE_ACCESS_LOG'),
  };
}

/** A fingerprint of a key for log lines (never the key itself). */
export function keyFingerprint(key: Uint8Array): string {
  return createHash('sha256').update(key).digest('hex').slice(0, 12);
}

function secretOf(read: EnvReader, name: string): Uint8Array | undefined {
  const raw = read.string(name);
  if (raw === undefined) return undefined;
  const bytes = new TextEncoder().encode(raw);
  if (bytes.length < MIN_SECRET_BYTES) {
    read.problems.push(`${name} must be at least ${MIN_SECRET_BYTES} bytes (HS256 needs a key as long as its hash)`);
    return undefined;
  }
  return bytes;
}

function publicKeyOf(read: EnvReader): JwtKeyConfig | undefined {
  const raw = read.string('SSE_JWT_PUBLIC_KEY');
  if (raw === undefined) return undefined;
  let key: KeyObject;
  try {
    key = createPublicKey(raw.replace(/\\n/g, '\n'));
  } catch {
    read.problems.push('SSE_JWT_PUBLIC_KEY is not a PEM public key (-----BEGIN PUBLIC KEY----- …)');
    return undefined;
  }
  if (key.asymmetricKeyType === 'rsa') {
    if ((key.asymmetricKeyDetails?.modulusLength ?? 0) < 2048) {
      read.problems.push('SSE_JWT_PUBLIC_KEY: an RSA key must have at least 2048 bits');
      return undefined;
    }
    return { kind: 'public-key', key, algorithm: 'RS256' };
  }
  if (key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1') {
    return { kind: 'public-key', key, algorithm: 'ES256' };
  }
  read.problems.push('SSE_JWT_PUBLIC_KEY must be an RSA (RS256) or P-256 EC (ES256) public key');
  return undefined;
}

function jwksUrlOf(read: EnvReader): string | undefined {
  const url = read.url('SSE_JWKS_URL', ['https', 'http']);
  if (url === undefined) return undefined;
  const { protocol, hostname } = new URL(url);
  if (protocol === 'http:' && !['localhost', '127.0.0.1', '[::1]'].includes(hostname)) {
    read.problems.push('SSE_JWKS_URL must use https (http only for localhost)');
    return undefined;
  }
  return url;
}

function list(read: EnvReader, name: string): string[] {
  return (read.string(name) ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '');
}

function patternList(read: EnvReader, name: string): string[] {
  const patterns = list(read, name);
  for (const pattern of patterns) {
    const problem = parseChannelPattern(pattern).problem;
    if (problem) read.problems.push(`${name}: ${problem}`);
  }
  return patterns;
}

function originList(read: EnvReader): string[] {
  const origins = list(read, 'SSE_CORS_ORIGINS');
  if (origins.includes('*')) {
    if (origins.length > 1) read.problems.push('SSE_CORS_ORIGINS: "*" stands alone');
    return ['*'];
  }
  return origins.filter((origin) => {
    let parsed: URL | undefined;
    try {
      parsed = new URL(origin);
    } catch {
      parsed = undefined;
    }
    if (!parsed || parsed.origin !== origin || !/^https?:$/.test(parsed.protocol)) {
      read.problems.push(`SSE_CORS_ORIGINS: ${JSON.stringify(origin)} is not an origin like https://app.example.com`);
      return false;
    }
    return true;
  });
}

function proxyList(read: EnvReader): string[] {
  const proxies = list(read, 'SSE_TRUSTED_PROXIES');
  const probe = new BlockList();
  for (const entry of proxies) {
    const [address, bits, extra] = entry.split('/');
    const family = isIP(address ?? '');
    const prefixOk = bits === undefined || (/^\d{1,3}$/.test(bits) && Number(bits) <= (family === 6 ? 128 : 32));
    if (family === 0 || !prefixOk || extra !== undefined) {
      read.problems.push(`SSE_TRUSTED_PROXIES: ${JSON.stringify(entry)} is not an IP address or CIDR range`);
      continue;
    }
    if (bits !== undefined) probe.addSubnet(address!, Number(bits), family === 6 ? 'ipv6' : 'ipv4');
  }
  return proxies;
}

function booleanOf(read: EnvReader, name: string): boolean {
  const raw = read.string(name)?.toLowerCase();
  if (raw === undefined) return false;
  if (['1', 'true', 'yes', 'on'].includes(raw)) return true;
  if (['0', 'false', 'no', 'off'].includes(raw)) return false;
  read.problems.push(`${name}=${JSON.stringify(raw)} must be true or false`);
  return false;
}
