/** What changed between two reports of subscribers per channel. */
export interface ChannelCountsDiff {
  /** Channels whose count is new or changed, with the new count (always above 0). */
  readonly changed: [channel: string, count: number][];
  /** Channels that had subscribers and have none now. */
  readonly removed: string[];
}

/**
 * The changes from `previous` to `next` (channels with 0 subscribers count as absent).
 * O(channels) in this process (nothing for the same map twice), so that what travels to
 * Redis is only what changed.
 */
export function diffChannelCounts(previous: ReadonlyMap<string, number>, next: ReadonlyMap<string, number>): ChannelCountsDiff {
  // The same snapshot again (nothing opened or closed since): no pass over the channels.
  if (previous === next) return { changed: [], removed: [] };
  const changed: [string, number][] = [];
  const removed: string[] = [];
  for (const [channel, count] of next) {
    if (count > 0 && previous.get(channel) !== count) changed.push([channel, count]);
  }
  for (const [channel, count] of previous) {
    if (count > 0 && !((next.get(channel) ?? 0) > 0)) removed.push(channel);
  }
  return { changed, removed };
}

/** `counts` without the channels that have no subscribers. */
export function withoutEmpty(counts: ReadonlyMap<string, number>): Map<string, number> {
  const kept = new Map<string, number>();
  for (const [channel, count] of counts) if (count > 0) kept.set(channel, count);
  return kept;
}
