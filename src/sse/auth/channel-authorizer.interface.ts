import type { IncomingMessage } from 'node:http';
import type { AccessGrant } from './access-grant.js';

/** What a request wants to do with its channels; `sync` asks for stream urls (subscribe rights). */
export type ChannelAction = 'publish' | 'subscribe' | 'sync';

/** An incoming request as routes see it: the raw request with Express' parsed query. */
export type ChannelRequest = IncomingMessage & { readonly query?: Record<string, unknown> };

/** The channel operation a request asks for. */
export interface ChannelAccessRequest {
  readonly action: ChannelAction;
  readonly channels: readonly string[];
  /** True when the request opens an event stream (not the JSON history). */
  readonly stream: boolean;
  /** The stream's position from the query (`?lastEventId=`), which a stream url token may be bound to. */
  readonly lastEventId?: string;
}

/**
 * Who may publish to and subscribe to which channel: the seam an application fills with
 * its own policy (its session, its Passport strategy), or the JWT authorizer the module
 * ships. Two steps, so that a bad credential is a 401 before the channel names are even
 * looked at (a 400):
 *
 * - `authenticate` finds and checks the request's credential: the grant, or `undefined`
 *   when the request carries none; throws `UnauthorizedError` (401) for a bad one,
 *   `AuthUnavailableError` (503) when it cannot be checked right now.
 * - `authorize` decides: returns when allowed; throws `UnauthorizedError` (401) when a
 *   credential is needed and there is none, `ForbiddenError` (403) when it does not allow
 *   every channel.
 */
export interface ChannelAuthorizer {
  authenticate(request: ChannelRequest, action: ChannelAction, stream: boolean): Promise<AccessGrant | undefined>;
  authorize(grant: AccessGrant | undefined, access: ChannelAccessRequest): void | Promise<void>;
  /**
   * Optional: a short-lived credential `POST /sync` adds to the stream url it answers
   * (`&token=`), so that a long-lived one never travels in a URL. Undefined: none.
   */
  streamUrlToken?(grant: AccessGrant, channels: readonly string[], lastEventId: string | undefined): Promise<string | undefined>;
}

/** Injection token of the `ChannelAuthorizer`. */
export const ChannelAuthorizer = Symbol('ChannelAuthorizer');
