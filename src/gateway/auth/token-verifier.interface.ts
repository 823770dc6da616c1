import type { AccessGrant } from './access-grant.js';

/**
 * Checks a bearer token and says what it allows. Throws `UnauthorizedError` for a token
 * that is not accepted (bad signature, algorithm, time, audience…), `AuthUnavailableError`
 * when the keys cannot be fetched.
 */
export interface TokenVerifier {
  verify(token: string): Promise<AccessGrant>;
}

/** Injection token of the `TokenVerifier`. */
export const TokenVerifier = Symbol('TokenVerifier');
