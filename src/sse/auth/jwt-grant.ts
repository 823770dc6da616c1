import type { AccessGrant } from './access-grant.js';

/** What a verified JWT (or a stream token made from one) allows. */
export interface JwtGrant extends AccessGrant {
  canPublish(channel: string): boolean;
  canSubscribe(channel: string): boolean;
  /** Set for a stream token from `POST /sync`: exactly which stream it opens, by digest. */
  readonly stream?: {
    /** `channelsDigest` of its channels. */
    readonly channels: string;
    /** `digest` of the position it opens from; undefined: any. */
    readonly lastEventId: string | undefined;
  };
}
