import type { BackoffOptions } from '../hub/backoff.util.js';
import type { HubMessage, StreamSpec } from '../client.types.js';

/** Tab to shared worker. */
export type TabToWorker =
  | { readonly op: 'hello'; readonly lock?: string; readonly backoff?: BackoffOptions; readonly lingerMs?: number }
  | { readonly op: 'subscribe'; readonly sub: number; readonly spec: StreamSpec }
  | { readonly op: 'unsubscribe'; readonly sub: number }
  | { readonly op: 'bye' };

/** Shared worker to tab: one subscription's message. */
export interface WorkerToTab {
  readonly sub: number;
  readonly message: HubMessage;
}
