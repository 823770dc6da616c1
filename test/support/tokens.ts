import { SignJWT, type JWTPayload } from 'jose';
import type { KeyObject } from 'node:crypto';

/** The HS256 secret the security tests run gateways with. */
export const TEST_SECRET = 'test-secret-for-the-security-suite-0123456789';

export interface TokenOptions {
  readonly sub?: string;
  readonly aud?: string;
  readonly iss?: string;
  /** Seconds from now; `null`: no exp claim. Default 3600. */
  readonly expIn?: number | null;
  /** Seconds from now. */
  readonly nbfIn?: number;
  readonly alg?: string;
  readonly typ?: string;
  readonly key?: Uint8Array | KeyObject;
}

/** A signed JWT with `claims`, HS256 with `TEST_SECRET` unless told otherwise. */
export async function signToken(claims: JWTPayload, options: TokenOptions = {}): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const jwt = new SignJWT(claims).setProtectedHeader({ alg: options.alg ?? 'HS256', typ: options.typ ?? 'JWT' }).setIssuedAt(now - 5);
  if (options.sub !== undefined) jwt.setSubject(options.sub);
  if (options.aud !== undefined) jwt.setAudience(options.aud);
  if (options.iss !== undefined) jwt.setIssuer(options.iss);
  if (options.expIn !== null) jwt.setExpirationTime(now + (options.expIn ?? 3600));
  if (options.nbfIn !== undefined) jwt.setNotBefore(now + options.nbfIn);
  return jwt.sign(options.key ?? new TextEncoder().encode(TEST_SECRET));
}

/** An unsecured JWT (`alg: none`, empty signature), as an attacker would write it. */
export function unsignedToken(claims: JWTPayload): string {
  const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const now = Math.floor(Date.now() / 1000);
  return `${part({ alg: 'none', typ: 'JWT' })}.${part({ exp: now + 3600, ...claims })}.`;
}

/** `token` with its last signature character changed. */
export function tamper(token: string): string {
  const last = token.at(-2) === 'A' ? 'B' : 'A';
  return `${token.slice(0, -2)}${last}${token.slice(-1)}`;
}

/** `token` with its claims rewritten (here: every right on every channel) and the old signature kept. */
export function escalate(token: string): string {
  const [header, payload, signature] = token.split('.');
  const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString());
  claims.sse = { publish: ['**'], subscribe: ['**'] };
  return `${header}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${signature}`;
}
