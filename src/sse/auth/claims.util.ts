import type { JWTPayload } from 'jose';
import { channelMatcher } from '../utils/channel-pattern.util.js';
import type { JwtGrant } from './jwt-grant.js';

/** The claim naming channel patterns: `{"sse": {"publish": [...], "subscribe": [...]}}`. */
export const SSE_CLAIM = 'sse';

/** The patterns of one action in the `sse` claim; anything that is not a list of strings grants nothing. */
function patternsOf(payload: JWTPayload, action: 'publish' | 'subscribe'): string[] {
  const claim = payload[SSE_CLAIM];
  if (typeof claim !== 'object' || claim === null) return [];
  const list = (claim as Record<string, unknown>)[action];
  return Array.isArray(list) ? list.filter((p): p is string => typeof p === 'string') : [];
}

/** The grant of a verified token's claims. */
export function grantOfClaims(payload: JWTPayload): JwtGrant {
  const subject = typeof payload.sub === 'string' && payload.sub !== '' ? payload.sub : undefined;
  const canPublish = channelMatcher(patternsOf(payload, 'publish'), subject);
  const canSubscribe = channelMatcher(patternsOf(payload, 'subscribe'), subject);
  return {
    subject,
    expiresAt: typeof payload.exp === 'number' ? payload.exp * 1000 : undefined,
    canPublish,
    canSubscribe,
  };
}
