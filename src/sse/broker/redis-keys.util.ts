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

/**
 * The Redis Cluster hash slot of a key (CRC16/XMODEM of its hash tag, or of the whole key
 * when it has no non-empty `{...}`), as `CLUSTER KEYSLOT` computes it.
 */
export function redisKeySlot(key: string): number {
  let bytes = Buffer.from(key);
  const open = bytes.indexOf(0x7b); // {
  if (open >= 0) {
    const close = bytes.indexOf(0x7d, open + 1); // }
    if (close > open + 1) bytes = bytes.subarray(open + 1, close);
  }
  let crc = 0;
  for (const byte of bytes) {
    crc ^= byte << 8;
    for (let bit = 0; bit < 8; bit++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
  }
  return crc % 16_384;
}
