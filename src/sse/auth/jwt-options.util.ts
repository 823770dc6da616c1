import { createPublicKey, hkdfSync, KeyObject, randomBytes } from 'node:crypto';
import type { OptionProblems } from '../errors/invalid-options.error.js';
import type { JwtAuthorizationOptions, JwtKey, ResolvedJwtOptions } from '../interfaces/sse-http-options.interface.js';
import { SSE_DEFAULTS } from '../sse.constants.js';
import { parseChannelPattern } from '../utils/channel-pattern.util.js';

/** HS256 needs a key at least as long as its hash. */
const MIN_SECRET_BYTES = 32;

/**
 * Checks the JWT options and makes their keys (problems go to `problems`, under `path`).
 * The stream token key is derived with HKDF from the secret, so every instance sharing
 * the secret shares it too.
 */
export function resolveJwtOptions(options: JwtAuthorizationOptions, problems: OptionProblems, path: string): ResolvedJwtOptions | undefined {
  const at = (name: string) => `${path}.${name}`;
  const given = (['secret', 'publicKey', 'jwksUrl'] as const).filter((name) => options[name] !== undefined);
  if (given.length !== 1) {
    problems.add(path, given.length === 0 ? 'needs one of secret, publicKey, jwksUrl' : `takes one of secret, publicKey, jwksUrl, not ${given.join(' and ')}`);
    return undefined;
  }
  const secret = options.secret === undefined ? undefined : secretBytes(options.secret, problems, at('secret'));
  const key: JwtKey | undefined =
    options.secret !== undefined
      ? secret && { kind: 'secret', secret }
      : options.publicKey !== undefined
        ? publicKeyOf(options.publicKey, problems, at('publicKey'))
        : jwksOf(options.jwksUrl!, problems, at('jwksUrl'));

  for (const pattern of options.publicChannels ?? []) {
    const problem = parseChannelPattern(pattern).problem;
    if (problem) problems.add(at('publicChannels'), `has ${problem}`);
  }
  const clockToleranceS = options.clockToleranceS ?? SSE_DEFAULTS.jwtClockToleranceS;
  if (!Number.isInteger(clockToleranceS) || clockToleranceS < 0 || clockToleranceS > 300) {
    problems.add(at('clockToleranceS'), 'must be a whole number of seconds from 0 to 300');
  }
  const streamTokenTtlS = options.streamTokenTtlS ?? SSE_DEFAULTS.streamTokenTtlS;
  if (!Number.isInteger(streamTokenTtlS) || streamTokenTtlS < 1 || streamTokenTtlS > 3600) {
    problems.add(at('streamTokenTtlS'), 'must be a whole number of seconds from 1 to 3600');
  }

  const streamSecret = options.streamTokenSecret === undefined ? undefined : secretBytes(options.streamTokenSecret, problems, at('streamTokenSecret'));
  if (streamSecret && secret && Buffer.from(streamSecret).equals(Buffer.from(secret))) {
    problems.add(at('streamTokenSecret'), 'must differ from the JWT secret (leave it unset to derive one)');
  }
  if (!key) return undefined;
  const [streamTokenSecret, streamTokenSecretSource] =
    streamSecret !== undefined
      ? [streamSecret, 'set' as const]
      : secret !== undefined
        ? [new Uint8Array(hkdfSync('sha256', secret, 'sse-gateway', 'stream-token-v1', 32)), 'derived' as const]
        : [new Uint8Array(randomBytes(32)), 'random' as const];
  return {
    key,
    audience: options.audience,
    issuer: options.issuer,
    clockToleranceS,
    publicChannels: [...(options.publicChannels ?? [])],
    streamTokenSecret,
    streamTokenSecretSource,
    streamTokenTtlS,
  };
}

function secretBytes(value: string | Uint8Array, problems: OptionProblems, option: string): Uint8Array | undefined {
  const bytes = typeof value === 'string' ? new TextEncoder().encode(value) : value;
  if (bytes.length < MIN_SECRET_BYTES) {
    problems.add(option, `must be at least ${MIN_SECRET_BYTES} bytes (HS256 needs a key as long as its hash)`);
    return undefined;
  }
  return bytes;
}

function publicKeyOf(value: string | KeyObject, problems: OptionProblems, option: string): JwtKey | undefined {
  let key: KeyObject;
  try {
    key = value instanceof KeyObject ? value : createPublicKey(value.replace(/\\n/g, '\n'));
  } catch {
    problems.add(option, 'is not a PEM public key (-----BEGIN PUBLIC KEY----- …)');
    return undefined;
  }
  if (key.type === 'public' && key.asymmetricKeyType === 'rsa') {
    if ((key.asymmetricKeyDetails?.modulusLength ?? 0) < 2048) {
      problems.add(option, 'must be an RSA key of at least 2048 bits');
      return undefined;
    }
    return { kind: 'public-key', key, algorithm: 'RS256' };
  }
  if (key.type === 'public' && key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1') {
    return { kind: 'public-key', key, algorithm: 'ES256' };
  }
  problems.add(option, 'must be an RSA (RS256) or P-256 EC (ES256) public key');
  return undefined;
}

function jwksOf(url: string, problems: OptionProblems, option: string): JwtKey | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    problems.add(option, 'is not a URL');
    return undefined;
  }
  const local = ['localhost', '127.0.0.1', '[::1]'].includes(parsed.hostname);
  if (!(parsed.protocol === 'https:' || (parsed.protocol === 'http:' && local))) {
    problems.add(option, 'must use https (http only for localhost)');
    return undefined;
  }
  return { kind: 'jwks', url };
}
