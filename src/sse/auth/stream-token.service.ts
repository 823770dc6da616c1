import { createHash } from 'node:crypto';
import { SignJWT, jwtVerify } from 'jose';
import type { ResolvedJwtOptions } from '../interfaces/sse-http-options.interface.js';
import type { AccessGrant } from './access-grant.js';
import type { JwtGrant } from './jwt-grant.js';
import { tokenInvalid } from './auth.messages.js';
import { describeJoseError } from './jose-error.util.js';
import { UnauthorizedError } from './unauthorized.error.js';

/** `typ` header of stream tokens: they open a stream and do nothing else. */
export const STREAM_TOKEN_TYPE = 'sse-stream+jwt';
const AUDIENCE = 'sse-gateway:stream';

/**
 * The short-lived tokens `POST /sync` puts in the stream url it answers, so that a
 * long-lived token never travels in a URL. One opens exactly the channels and position it
 * was issued for, within `streamTokenTtlS`; the stream it opens still ends when the token
 * it was issued from expires. HS256 with `streamTokenSecret` (or a key derived from the
 * JWT secret), which every instance of a cluster must share.
 */
export class StreamTokenService {
  private readonly secret: Uint8Array;
  private readonly ttlS: number;
  private readonly clockToleranceS: number;

  constructor(options: ResolvedJwtOptions) {
    this.secret = options.streamTokenSecret;
    this.ttlS = options.streamTokenTtlS;
    this.clockToleranceS = options.clockToleranceS;
  }

  /**
   * A token opening `channels` from `lastEventId`, for the holder of `grant`. It names them
   * by digest (`chd`, `pod`), not in full: the token rides in a URL beside the channel list
   * and the position, and up to 32 channel names and a composite position written out
   * again would push a reconnect past the request size servers accept.
   */
  async issue(grant: AccessGrant, channels: readonly string[], lastEventId: string | undefined, now = Date.now()): Promise<string> {
    // Whole seconds, rounded up: the url is good for at least the configured time.
    const nowS = Math.ceil(now / 1000);
    const parentExpS = grant.expiresAt === undefined ? undefined : Math.floor(grant.expiresAt / 1000);
    const expS = parentExpS === undefined ? nowS + this.ttlS : Math.min(nowS + this.ttlS, parentExpS);
    const claims: Record<string, unknown> = { chd: channelsDigest(channels) };
    if (lastEventId !== undefined) claims.pod = digest(lastEventId);
    if (parentExpS !== undefined) claims.sexp = parentExpS;
    const jwt = new SignJWT(claims)
      .setProtectedHeader({ alg: 'HS256', typ: STREAM_TOKEN_TYPE })
      .setAudience(AUDIENCE)
      .setIssuedAt(nowS)
      .setExpirationTime(expS);
    if (grant.subject !== undefined) jwt.setSubject(grant.subject);
    return jwt.sign(this.secret);
  }

  /** The grant of a stream token: subscribe to exactly its channels, from its position, nothing else. */
  async verify(token: string): Promise<JwtGrant> {
    let payload;
    try {
      ({ payload } = await jwtVerify(token, this.secret, {
        algorithms: ['HS256'],
        audience: AUDIENCE,
        typ: STREAM_TOKEN_TYPE,
        clockTolerance: this.clockToleranceS,
        requiredClaims: ['exp', 'chd'],
      }));
    } catch (error) {
      throw new UnauthorizedError(tokenInvalid(describeJoseError(error)), true);
    }
    const stream = { channels: String(payload.chd), lastEventId: typeof payload.pod === 'string' ? payload.pod : undefined };
    return {
      subject: payload.sub,
      expiresAt: typeof payload.sexp === 'number' ? payload.sexp * 1000 : undefined,
      canPublish: () => false,
      canSubscribe: () => false,
      stream,
    };
  }
}

/** The digest a stream token names its channels by: their set, in any order. */
export function channelsDigest(channels: readonly string[]): string {
  return digest([...new Set(channels)].sort().join('\n'));
}

/** SHA-256, base64url: 43 characters. */
export function digest(text: string): string {
  return createHash('sha256').update(text).digest('base64url');
}
