import { setImmediate as nextTurn } from 'node:timers/promises';
import { compactingGc } from './compacting-gc.js';

describe('compactingGc', () => {
  it('collects garbage when called, on the Node version running the suite', async () => {
    const compact = compactingGc();
    let garbage: object | null = { payload: new Array(1000).fill('x') };
    const ref = new WeakRef(garbage);
    garbage = null;
    await nextTurn(); // a WeakRef read in a turn keeps its target for that turn
    compact();
    await nextTurn();
    expect(ref.deref()).toBeUndefined();
  });

  it('leaves the application global without gc()', () => {
    compactingGc();
    expect((globalThis as { gc?: unknown }).gc).toBeUndefined();
  });
});
