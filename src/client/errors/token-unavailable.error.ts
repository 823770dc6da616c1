import { tokenUnavailable } from '../client.messages.js';

/**
 * No token could be had for a `POST /sync`: `getToken` failed, or no tab that subscribed
 * answered. Not the gateway's verdict, so the stream retries after its backoff.
 */
export class TokenUnavailableError extends Error {
  constructor(reason: string) {
    super(tokenUnavailable(reason));
    this.name = 'TokenUnavailableError';
  }
}
