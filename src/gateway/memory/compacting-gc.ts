import v8 from 'node:v8';
import vm from 'node:vm';

/**
 * A full, compacting garbage collection, on demand.
 *
 * Node has no API for it. V8's `gc()` is reachable without starting the process with
 * `--expose-gc`: the flag set at run time installs the function in contexts made afterwards
 * (`vm.runInNewContext('gc')`), leaving the application's own global untouched. A plain
 * full collection frees objects but keeps nearly every page, since the survivors of a burst
 * are spread over all of them; `--compact-on-every-full-gc`, set for this one collection
 * only, moves them together so that the emptied pages go back to the operating system.
 * Both are V8 flags (Node 20 and 22); `v8.setFlagsFromString` ignores one it does not know,
 * which makes this a plain full collection.
 */
export function compactingGc(): () => void {
  v8.setFlagsFromString('--expose-gc');
  const gc = vm.runInNewContext('gc') as () => void;
  return () => {
    v8.setFlagsFromString('--compact-on-every-full-gc');
    try {
      gc();
    } finally {
      v8.setFlagsFromString('--no-compact-on-every-full-gc');
    }
  };
}
