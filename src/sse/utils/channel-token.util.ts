import { CHANNEL_TOKEN_PREFIX } from '../sse.constants.js';

/** The one place that names a channel's injection token. */
export function getChannelToken(name: string): string {
  return `${CHANNEL_TOKEN_PREFIX}${name}`;
}
