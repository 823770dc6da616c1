import type { JwtGrant } from './jwt-grant.js';

/**
 * Checks a bearer token and says what it allows. Throws `UnauthorizedError` for a token
 * that is not accepted (bad signature, algorithm, time, audience…), `AuthUnavailableError`
 * when the keys cannot be fetched.
 */
export interface TokenVerifier {
  verify(token: string): Promise<JwtGrant>;
}

/** Injection token of the `TokenVerifier`. */
export const TokenVerifier = Symbol('TokenVerifier');
