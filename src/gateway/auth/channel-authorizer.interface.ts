import type { IncomingMessage } from 'node:http';
import type { AccessGrant } from './access-grant.js';
import type { TokenSource } from './token-sources.util.js';

/** What a request wants to do with its channels; `sync` asks for stream urls (subscribe rights). */
export type ChannelAction = 'publish' | 'subscribe' | 'sync';

/**
 * Decides who may publish to and subscribe to which channel. `authenticate` finds and
 * checks the request's token (401 for a bad one); `authorize` checks the channels
 * against what it allows (401 without a token, 403 when the token does not allow them).
 */
export interface ChannelAuthorizer {
  /** False when no key is configured: every request is allowed (local use). */
  readonly enabled: boolean;
  authenticate(
    request: IncomingMessage & { query?: Record<string, unknown> },
    sources: readonly TokenSource[],
    options: { readonly streamTokens: boolean },
  ): Promise<AccessGrant | undefined>;
  /** `position`: the stream's `?lastEventId=`, which a stream token must match. */
  authorize(
    grant: AccessGrant | undefined,
    action: ChannelAction,
    channels: readonly string[],
    sources: readonly TokenSource[],
    position?: string,
  ): void;
}

/** Injection token of the `ChannelAuthorizer`. */
export const ChannelAuthorizer = Symbol('ChannelAuthorizer');
