import { randomBytes } from 'node:crypto';

/**
 * A short random tag for a stream's lifetime. Positions carry it, so a position from a lost
 * or recreated stream is recognised instead of silently replaying the wrong events.
 */
export function newEpoch(): string {
  return randomBytes(4).readUInt32BE().toString(36).padStart(7, '0');
}
