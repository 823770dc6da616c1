import { randomFillSync } from 'node:crypto';

/** Random bytes drawn in batches: every Redis publish offers an epoch, one system call each was measurable. */
const pool = Buffer.alloc(4096);
let offset = pool.length;

/**
 * A short random tag for a stream's lifetime. Positions carry it, so a position from a lost
 * or recreated stream is recognised instead of silently replaying the wrong events.
 */
export function newEpoch(): string {
  if (offset === pool.length) {
    randomFillSync(pool);
    offset = 0;
  }
  const value = pool.readUInt32BE(offset);
  offset += 4;
  return value.toString(36).padStart(7, '0');
}
