import type { IncomingMessage } from 'node:http';
import type { AccessGrant } from './access-grant.js';

// The grant a request was authorized with, for the handlers and guards that run after.
const grants = new WeakMap<IncomingMessage, AccessGrant>();

export function setRequestGrant(request: IncomingMessage, grant: AccessGrant): void {
  grants.set(request, grant);
}

export function requestGrant(request: IncomingMessage): AccessGrant | undefined {
  return grants.get(request);
}
