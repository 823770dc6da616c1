const MIB = 1024 * 1024;

const mib = (bytes: number | undefined): string => (bytes === undefined ? 'unknown (no file descriptor left to read it)' : `${(bytes / MIB).toFixed(0)} MiB`);

/** `rssBefore` and `rssAfter` in bytes, undefined when they could not be read. */
export const heapCompacted = (streams: number, pauseMs: number, rssBefore: number | undefined, rssAfter: number | undefined): string =>
  `heap compacted after a burst of new streams (${streams} open): ${pauseMs.toFixed(0)} ms, RSS ${mib(rssBefore)} -> ${mib(rssAfter)}`;
