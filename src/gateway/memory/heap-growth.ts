import v8 from 'node:v8';

/**
 * Caps how far V8 lets the old generation grow past what its last full collection kept:
 * the next full collection comes once it has grown by `percent` (V8's
 * `--heap-growing-percent`, read at every full collection, so setting it at run time takes
 * effect at the next one). 0 leaves the factor to V8, which picks it from how fast it
 * collects, between 1.1 and several times the heap kept.
 *
 * Why: a burst of new streams leaves garbage in the old generation (see `HeapCompactor`),
 * and with V8's own factor it piles up to half again the process's idle heap or more
 * before anything collects it: in the bench's case b (10,000 streams opening, then 200
 * events to each), peak RSS was 1.23 to 1.55 times the idle RSS over three runs; collected
 * at 25% growth, 1.01 to 1.12 times. The collections come more often but each has less to
 * do: delivery took no more CPU (19.0 against 20.8 s for the same 2,000,000 events, mean of
 * the runs); opening the streams took about 9% more.
 */
export function limitHeapGrowth(percent: number): void {
  if (percent > 0) v8.setFlagsFromString(`--heap-growing-percent=${percent}`);
}
