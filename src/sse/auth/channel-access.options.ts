import type { ChannelAction, ChannelRequest } from './channel-authorizer.interface.js';

/** What a route does with channels, for the authorization and limit guards. */
export interface ChannelAccessOptions {
  readonly action: ChannelAction;
  /** The channels of a request (may throw `InvalidInputError`: a 400 after any 401). */
  readonly channels: (request: ChannelRequest) => readonly string[];
  /** True when the request opens an event stream (stream tokens, expiry, connection limits). */
  readonly stream?: (request: ChannelRequest) => boolean;
}

/** Metadata key of a channel route's `ChannelAccessOptions`. */
export const CHANNEL_ACCESS = Symbol('CHANNEL_ACCESS');
