import { splitPosition } from './epoch.util.js';

/**
 * Positions of the Redis broker are `<ms>-<seq>.<epoch>`: the stream entry id, then the
 * channel's epoch. Both numbers are unsigned 64-bit in Redis, more than a JS number holds,
 * so they stay digit strings and are compared by length, then lexically (exact, no BigInt).
 */
export interface StreamPosition {
  /** `<ms>-<seq>`, exactly as Redis writes it. */
  readonly streamId: string;
  readonly ms: string;
  readonly seq: string;
  readonly epoch: string;
}

/** Canonical decimal (no leading zero), as Redis prints stream ids. */
const STREAM_ID = /^(0|[1-9]\d{0,19})-(0|[1-9]\d{0,19})$/;
const EPOCH = /^[0-9a-z]{1,16}$/;
const UINT64_MAX = '18446744073709551615';

/** The stream id a position on an empty channel carries: "from the start". */
export const ORIGIN_STREAM_ID = '0-0';

/** Parses one of our positions; `null` for anything else (never throws). */
export function parseStreamPosition(position: string): StreamPosition | null {
  if (typeof position !== 'string' || position.length > 64) return null;
  const parts = splitPosition(position);
  if (!parts || !EPOCH.test(parts.epoch)) return null;
  const id = parseStreamId(parts.offset);
  return id && { ...id, epoch: parts.epoch };
}

/** Parses a canonical `<ms>-<seq>` stream id within Redis' 64-bit range. */
export function parseStreamId(streamId: string): { streamId: string; ms: string; seq: string } | null {
  const match = STREAM_ID.exec(streamId);
  if (!match) return null;
  const [, ms, seq] = match as unknown as [string, string, string];
  if (compareDigits(ms, UINT64_MAX) > 0 || compareDigits(seq, UINT64_MAX) > 0) return null;
  return { streamId, ms, seq };
}

export function formatPosition(streamId: string, epoch: string): string {
  return `${streamId}.${epoch}`;
}

/** Orders two stream ids (ms, then seq); both must be canonical. */
export function compareStreamIds(a: { ms: string; seq: string }, b: { ms: string; seq: string }): number {
  return compareDigits(a.ms, b.ms) || compareDigits(a.seq, b.seq);
}

/**
 * `Broker.compare` for Redis positions: ignores the epoch (the channel layer compares ids of
 * one lifetime), and sorts anything that is not a position lowest.
 */
export function compareRedisPositions(a: string, b: string): number {
  const pa = parseStreamPosition(a);
  const pb = parseStreamPosition(b);
  if (!pa || !pb) return (pa ? 1 : 0) - (pb ? 1 : 0);
  return compareStreamIds(pa, pb);
}

/** Compares canonical unsigned decimals of any length: -1, 0 or 1. */
function compareDigits(x: string, y: string): number {
  if (x.length !== y.length) return x.length < y.length ? -1 : 1;
  return x === y ? 0 : x < y ? -1 : 1;
}
