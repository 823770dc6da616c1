/**
 * Who a request was authorized as: what the guards and routes after the authorizer need.
 * Authorizers may return a richer object (the JWT authorizer adds what its token allows).
 */
export interface AccessGrant {
  /** The subject (user id): publish rate limits count per subject. */
  readonly subject?: string;
  /** When the credential stops being valid, ms since the Unix epoch: streams end then. */
  readonly expiresAt?: number;
}
