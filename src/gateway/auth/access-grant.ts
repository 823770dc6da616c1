/** What a verified token allows. */
export interface AccessGrant {
  /** `sub` of the token, when it has one. */
  readonly subject: string | undefined;
  /** When the token stops being valid (ms since the epoch); streams close then. */
  readonly expiresAt: number | undefined;
  canPublish(channel: string): boolean;
  canSubscribe(channel: string): boolean;
  /** Set for a stream token from `POST /sync`: exactly which stream it opens. */
  readonly stream?: {
    readonly channels: readonly string[];
    readonly position: string | undefined;
  };
}
