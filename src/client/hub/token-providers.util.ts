import { EMPTY_TOKEN, NO_TOKEN_SOURCE } from '../client.messages.js';
import { TokenUnavailableError } from '../errors/token-unavailable.error.js';
import { errorMessage } from '../errors/error-message.util.js';

/** One subscription's way to a fresh token: the page's `getToken`, or a round trip to the tab that subscribed. */
export type TokenProvider = () => Promise<string>;

/**
 * A token from the first provider that gives one, asking them in turn: a stream shared by
 * several tabs asks the tab that subscribed first, and when that one cannot answer (frozen
 * in the back-forward cache, closing, its `getToken` failing) the next. Each provider is
 * asked once, however many subscriptions share it (a tab's subscriptions share one).
 */
export async function firstToken(providers: Iterable<TokenProvider>): Promise<string> {
  let reason = NO_TOKEN_SOURCE;
  for (const provider of new Set(providers)) {
    try {
      const token = await provider();
      if (typeof token === 'string' && token !== '') return token;
      reason = EMPTY_TOKEN;
    } catch (error) {
      reason = errorMessage(error);
    }
  }
  throw new TokenUnavailableError(reason);
}
