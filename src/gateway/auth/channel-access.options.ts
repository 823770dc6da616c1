import type { Request } from 'express';
import type { ChannelAction } from './channel-authorizer.interface.js';
import type { TokenSource } from './token-sources.util.js';

/** What a route does with channels, for the authorization and limit guards. */
export interface ChannelAccessOptions {
  readonly action: ChannelAction;
  /** The channels of a request (may throw `InvalidInputError`: a 400 after any 401). */
  readonly channels: (request: Request) => readonly string[];
  /** Where the token may come from. */
  readonly sources: readonly TokenSource[];
  /** True when the request opens an event stream (stream tokens, expiry, connection limits). */
  readonly stream?: (request: Request) => boolean;
}

/** Metadata key of `@ChannelAccess()`. */
export const CHANNEL_ACCESS = Symbol('CHANNEL_ACCESS');
