// Every text the authorization layer shows a client or an operator, in one place.

export const tokenRequired = (action: 'publish' | 'subscribe' | 'sync', sources: string) =>
  `${action === 'publish' ? 'publishing' : action === 'sync' ? 'a sync' : 'subscribing'} needs a token (${sources})`;

export const tokenInvalid = (reason: string) => `the token is not accepted: ${reason}`;

export const tokenAmbiguous = 'give one token: ?token= appears more than once';

export const streamTokenElsewhere = 'a stream token only opens the stream it was issued for';

export const notAllowed = (action: 'publish' | 'subscribe', channels: readonly string[]) =>
  `the token does not allow ${action === 'publish' ? 'publishing to' : 'subscribing to'} ${channels.map((c) => JSON.stringify(c)).join(', ')}`;

export const streamTokenOtherChannels = 'this stream token was issued for other channels';

export const streamTokenOtherPosition = 'this stream token was issued for another position (lastEventId)';

export const keysUnavailable = 'the token keys cannot be fetched right now; retry shortly';

export const AUTH_DISABLED_WARNING =
  'AUTHORIZATION IS OFF: anyone who reaches this port may publish to and subscribe to every channel. ' +
  'Fine on a laptop; never on a network. Set SSE_JWT_SECRET, SSE_JWT_PUBLIC_KEY or SSE_JWKS_URL (README: Security).';

export const randomStreamKeyWarning =
  'SSE_STREAM_TOKEN_SECRET is not set and cannot be derived (no SSE_JWT_SECRET): stream urls from POST /sync ' +
  'verify on this instance only. Set it to the same value on every instance of a cluster.';

export const authEnabled = (how: string, publicChannels: readonly string[]) =>
  `authorization on (${how}); public channels: ${publicChannels.length ? publicChannels.join(', ') : 'none'}`;

