import { StreamPosition } from './stream-position.js';

/**
 * The id of a several-channel stream: one opaque token holding the position of every
 * channel, so a reconnect resumes each of them. It must stay short: a browser sends it back
 * in `Last-Event-ID` and in the sync url's `?lastEventId=`, beside up to 32 channel names,
 * and a request over the server's header limit is answered 431, which ends an EventSource
 * for good. So a channel is named by a 32-bit hash of its name (the stream knows its
 * channels; a token only has to tell them apart) and a position is binary:
 *
 *   version (1 byte, 1), then per channel: FNV-1a hash of the name (4 bytes, big endian),
 *   ms (varint), seq (varint), epoch length (1 byte), epoch (ASCII)
 *
 * base64url-encoded: about 26 characters per channel (32 channels: 820).
 */
export class CompositePosition {
  private readonly positions = new Map<string, StreamPosition>();
  private cached: string | null = null;

  set(channel: string, position: StreamPosition): void {
    if (this.positions.get(channel)?.equals(position)) return;
    this.positions.set(channel, position);
    this.cached = null;
  }

  get(channel: string): StreamPosition | undefined {
    return this.positions.get(channel);
  }

  /** The token: made once per change. */
  token(): string {
    return (this.cached ??= encode(this.positions));
  }

  /**
   * The positions a token holds for `channels`: a channel the token has no position for is
   * missing from the map (it starts live); `null` when the text is not a token at all.
   */
  static parse(token: string, channels: readonly string[]): Map<string, StreamPosition> | null {
    const entries = decode(token);
    if (!entries) return null;
    const positions = new Map<string, StreamPosition>();
    for (const channel of channels) {
      const position = entries.get(hashName(channel));
      if (position) positions.set(channel, position);
    }
    return positions;
  }
}

const VERSION = 1;
/** Most channels one token holds: the module's own maximum per stream is configurable up to 1000. */
const MAX_ENTRIES = 1000;

function encode(positions: ReadonlyMap<string, StreamPosition>): string {
  const bytes: number[] = [VERSION];
  for (const [channel, position] of positions) {
    const hash = hashName(channel);
    bytes.push(hash >>> 24, (hash >>> 16) & 0xff, (hash >>> 8) & 0xff, hash & 0xff);
    writeVarint(bytes, position.ms);
    writeVarint(bytes, position.seq);
    bytes.push(position.epoch.length);
    for (let i = 0; i < position.epoch.length; i++) bytes.push(position.epoch.charCodeAt(i));
  }
  return Buffer.from(bytes).toString('base64url');
}

function decode(token: string): Map<number, StreamPosition> | null {
  if (token.length === 0 || token.length > MAX_ENTRIES * 40 || !/^[A-Za-z0-9_-]+$/.test(token)) return null;
  const bytes = Buffer.from(token, 'base64url');
  if (bytes[0] !== VERSION) return null;
  const entries = new Map<number, StreamPosition>();
  let at = 1;
  while (at < bytes.length) {
    if (at + 4 > bytes.length) return null;
    const hash = bytes.readUInt32BE(at);
    at += 4;
    const ms = readVarint(bytes, at);
    if (!ms) return null;
    const seq = readVarint(bytes, ms.next);
    if (!seq) return null;
    at = seq.next;
    const length = bytes[at++];
    if (length === undefined || at + length > bytes.length) return null;
    const position = StreamPosition.parse(`${ms.value}-${seq.value}.${bytes.toString('latin1', at, at + length)}`);
    if (!position) return null;
    at += length;
    entries.set(hash, position);
  }
  // Every stream has a channel: a token without one was never made.
  return entries.size > 0 ? entries : null;
}

/** Unsigned LEB128 of a whole number up to 2^53 - 1. */
function writeVarint(bytes: number[], value: number): void {
  while (value >= 0x80) {
    bytes.push((value % 0x80) | 0x80);
    value = Math.floor(value / 0x80);
  }
  bytes.push(value);
}

function readVarint(bytes: Buffer, from: number): { value: number; next: number } | null {
  let value = 0;
  let scale = 1;
  for (let at = from; at < bytes.length && at < from + 8; at++) {
    const byte = bytes[at]!;
    value += (byte & 0x7f) * scale;
    if (byte < 0x80) return value <= Number.MAX_SAFE_INTEGER ? { value, next: at + 1 } : null;
    scale *= 0x80;
  }
  return null;
}

/** 32-bit FNV-1a of a channel name (ASCII by the channel name rules). */
function hashName(name: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) {
    hash ^= name.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}
