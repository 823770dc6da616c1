import { matchesChannelPattern } from './channel-pattern.util.js';

describe('matchesChannelPattern', () => {
  it.each([
    ['prices', 'prices', true],
    ['prices', 'prices.eur', false],
    ['prices.*', 'prices.eur', true],
    ['prices.*', 'prices', false],
    ['prices.*', 'prices.eur.usd', false],
    ['*.status', 'robot-1.status', true],
    ['*.status', 'robot-1.state', false],
    ['a.*.c', 'a.b.c', true],
    ['a.*.c', 'a.b.d', false],
  ])('%s ~ %s = %s', (pattern, channel, expected) => {
    expect(matchesChannelPattern(pattern, channel)).toBe(expected);
  });
});
