import { InvalidInputError } from '../errors/index.js';
import { invalidChannelName } from '../sse.messages.js';
import { isValidChannelName } from '../utils/names.util.js';

/** Every Redis name one channel uses. */
export interface RedisChannelKeys {
  /** The stream holding the channel's history. */
  readonly stream: string;
  /** Hash: `epoch`, `stream` (set once the stream exists), `trimmed` (newest trimmed id). */
  readonly meta: string;
  /** Hash: idempotency key -> stream id of the event it stored. */
  readonly idem: string;
  /** Sorted set: idempotency key scored by the ms part of its id, to prune in order. */
  readonly idemq: string;
  /** Pub/sub channel carrying live events. */
  readonly live: string;
}

/**
 * Keys share a `{channel}` hash tag, so every key of one channel lands in one Redis
 * Cluster slot and a single script may touch them all. The channel name is checked here
 * because a brace in it would move the tag (and so break that guarantee).
 */
export function redisChannelKeys(prefix: string, channel: string): RedisChannelKeys {
  if (!isValidChannelName(channel)) throw new InvalidInputError(invalidChannelName(String(channel)));
  const base = `${prefix}{${channel}}`;
  return {
    stream: `${base}:stream`,
    meta: `${base}:meta`,
    idem: `${base}:idem`,
    idemq: `${base}:idemq`,
    live: `${base}:live`,
  };
}
