import { randomBytes } from 'node:crypto';

/**
 * A short random tag for a stream's lifetime. Positions carry it, so a position from a lost
 * or recreated stream is recognised instead of silently replaying the wrong events.
 */
export function newEpoch(): string {
  return randomBytes(4).readUInt32BE().toString(36).padStart(7, '0');
}

/** Positions are `<offset>.<epoch>`; the offset part is broker-specific. */
export function splitPosition(position: string): { offset: string; epoch: string } | null {
  const dot = position.lastIndexOf('.');
  if (dot <= 0 || dot === position.length - 1) return null;
  return { offset: position.slice(0, dot), epoch: position.slice(dot + 1) };
}
