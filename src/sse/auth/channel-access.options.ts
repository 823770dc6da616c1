import type { ChannelAction, ChannelRequest } from './channel-authorizer.interface.js';

/** What a route does with channels, for the authorization and limit guards. */
export interface ChannelAccessOptions {
  readonly action: ChannelAction;
  /** The channels of a request (may throw `InvalidInputError`: a 400 after any 401). */
  readonly channels: (request: ChannelRequest) => readonly string[];
  /** True when the request opens an event stream (stream tokens, expiry, connection limits). */
  readonly stream?: (request: ChannelRequest) => boolean;
  /**
   * False when another route answers this request (two routes share a URL and tell their
   * requests apart by `Accept`): the guards leave it to that route's own. Default: always.
   */
  readonly when?: (request: ChannelRequest) => boolean;
}

/** Metadata key of a channel route's `ChannelAccessOptions`. */
export const CHANNEL_ACCESS = Symbol('CHANNEL_ACCESS');
