import type { BackoffOptions } from '../hub/backoff.util.js';
import type { HubMessage, StreamSpec } from '../client.types.js';
import type { TokenAnswer } from './token-requests.js';

/** Tab to shared worker. */
export type TabToWorker =
  | { readonly op: 'hello'; readonly lock?: string; readonly backoff?: BackoffOptions; readonly lingerMs?: number }
  | { readonly op: 'subscribe'; readonly sub: number; readonly spec: StreamSpec }
  | { readonly op: 'unsubscribe'; readonly sub: number }
  /** The answer to the worker's token request `req`. */
  | { readonly op: 'token'; readonly req: number; readonly answer: TokenAnswer }
  | { readonly op: 'bye' };

/** Shared worker to tab: one subscription's message, or a request for a fresh token (a stream of this tab's is about to sync). */
export type WorkerToTab =
  | { readonly op: 'message'; readonly sub: number; readonly message: HubMessage }
  | { readonly op: 'token'; readonly req: number };
