import type { KeyObject } from 'node:crypto';
import { createRemoteJWKSet, jwtVerify, type JWTVerifyGetKey, type JWTVerifyOptions } from 'jose';
import type { ResolvedJwtOptions } from '../interfaces/sse-http-options.interface.js';
import { keysUnavailable, tokenInvalid } from './auth.messages.js';
import { AuthUnavailableError } from './auth-unavailable.error.js';
import { grantOfClaims } from './claims.util.js';
import type { JwtGrant } from './jwt-grant.js';
import { describeJoseError, isKeyFetchFailure } from './jose-error.util.js';
import { STREAM_TOKEN_TYPE } from './stream-token.service.js';
import type { TokenVerifier } from './token-verifier.interface.js';
import { UnauthorizedError } from './unauthorized.error.js';

/** Longest token looked at: anything longer is refused before any parsing. */
export const MAX_TOKEN_LENGTH = 8192;

/**
 * Verifies the application's tokens with jose: HS256 with a secret, RS256/ES256 with a
 * public key, or whatever a JWKS url publishes (RS256/ES256). The
 * algorithm list is fixed by the key, so `none` and key-confusion (HS256 signed with a
 * public key) never verify; `exp` is required.
 */
export class JoseTokenVerifier implements TokenVerifier {
  private readonly key: Uint8Array | KeyObject | JWTVerifyGetKey;
  private readonly options: JWTVerifyOptions;

  constructor(options: ResolvedJwtOptions) {
    const { key: jwt, audience, issuer, clockToleranceS } = options;
    let algorithms: string[];
    if (jwt.kind === 'secret') {
      this.key = jwt.secret;
      algorithms = ['HS256'];
    } else if (jwt.kind === 'public-key') {
      this.key = jwt.key;
      algorithms = [jwt.algorithm];
    } else {
      this.key = createRemoteJWKSet(new URL(jwt.url), { timeoutDuration: 3000, cooldownDuration: 30_000, cacheMaxAge: 600_000 });
      algorithms = ['RS256', 'ES256'];
    }
    this.options = {
      algorithms,
      clockTolerance: clockToleranceS,
      requiredClaims: ['exp'],
      ...(audience !== undefined ? { audience } : {}),
      ...(issuer !== undefined ? { issuer } : {}),
    };
  }

  async verify(token: string): Promise<JwtGrant> {
    if (token.length > MAX_TOKEN_LENGTH) throw new UnauthorizedError(tokenInvalid('it is too long'), true);
    let result;
    try {
      result = await (typeof this.key === 'function'
        ? jwtVerify(token, this.key, this.options)
        : jwtVerify(token, this.key, this.options));
    } catch (error) {
      if (typeof this.key === 'function' && isKeyFetchFailure(error)) throw new AuthUnavailableError(keysUnavailable);
      throw new UnauthorizedError(tokenInvalid(describeJoseError(error)), true);
    }
    // Stream tokens are signed with their own key; refuse one even if an operator reused the key.
    if (result.protectedHeader.typ === STREAM_TOKEN_TYPE) throw new UnauthorizedError(tokenInvalid('it is a stream token'), true);
    return grantOfClaims(result.payload);
  }
}
