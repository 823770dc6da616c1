import { jest } from '@jest/globals';
import { LogThrottle } from './log-throttle.js';

describe('LogThrottle', () => {
  let now = 0;
  let lines: string[];
  let throttle: LogThrottle;
  beforeEach(() => {
    jest.useFakeTimers();
    now = 0;
    lines = [];
    throttle = new LogThrottle((line) => lines.push(line), (count, kind, windowMs) => `${count} more ${kind} in ${windowMs} ms`, 2, 1000, () => now);
  });
  afterEach(() => jest.useRealTimers());

  it('writes the first lines of each kind in a window, and one summary of the rest when the window ends', () => {
    for (let i = 1; i <= 5; i++) throttle.log('a', `a${i}`);
    throttle.log('b', 'b1');
    expect(lines).toEqual(['a1', 'a2', 'b1']);
    now = 1000;
    jest.advanceTimersByTime(1000);
    expect(lines).toEqual(['a1', 'a2', 'b1', '3 more a in 1000 ms']);
    throttle.log('a', 'a6');
    expect(lines.at(-1)).toBe('a6');
  });

  it('writes no summary when nothing was left out', () => {
    throttle.log('a', 'a1');
    jest.advanceTimersByTime(5000);
    expect(lines).toEqual(['a1']);
  });
});
