const MIB = 1024 * 1024;

export const heapCompacted = (streams: number, pauseMs: number, rssBefore: number, rssAfter: number): string =>
  `heap compacted after a burst of new streams (${streams} open): ${pauseMs.toFixed(0)} ms, ` +
  `RSS ${(rssBefore / MIB).toFixed(0)} MiB -> ${(rssAfter / MIB).toFixed(0)} MiB`;
