import { restartDelayMs } from './worker-pool.js';

describe('restartDelayMs', () => {
  it('waits 1 s after a first exit, doubling with each quick exit in a row, at most 30 s', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 20].map(restartDelayMs)).toEqual([1000, 2000, 4000, 8000, 16_000, 30_000, 30_000, 30_000]);
  });
});
