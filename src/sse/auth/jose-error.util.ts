import { errors } from 'jose';

/** A short, safe reason for a token jose refused (the client sees it). */
export function describeJoseError(error: unknown): string {
  if (error instanceof errors.JWTExpired) return 'it has expired';
  if (error instanceof errors.JWTClaimValidationFailed) {
    switch (error.claim) {
      case 'nbf':
        return 'it is not valid yet';
      case 'iat':
        return 'it was issued in the future';
      case 'aud':
        return 'it is for another audience';
      case 'iss':
        return 'it is from another issuer';
      case 'exp':
        return 'it has no expiry (exp)';
      default:
        return `its ${error.claim} claim is not accepted`;
    }
  }
  if (error instanceof errors.JOSEAlgNotAllowed || error instanceof errors.JOSENotSupported) return 'its algorithm is not accepted';
  if (error instanceof errors.JWSSignatureVerificationFailed) return 'its signature does not verify';
  if (error instanceof errors.JWKSNoMatchingKey) return 'no known key matches it';
  return 'it is not a well-formed signed JWT';
}

/** True when jose failed because the keys could not be fetched, not because of the token. */
export function isKeyFetchFailure(error: unknown): boolean {
  if (error instanceof errors.JWKSTimeout || error instanceof errors.JWKSInvalid) return true;
  return !(error instanceof errors.JOSEError);
}
