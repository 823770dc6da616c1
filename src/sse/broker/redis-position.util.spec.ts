import {
  compareRedisPositions,
  compareStreamIds,
  formatPosition,
  parseStreamId,
  parseStreamPosition,
} from './redis-position.util.js';

describe('Redis positions', () => {
  it('parses <ms>-<seq>.<epoch> and formats it back', () => {
    expect(parseStreamPosition('1700000000000-3.0abc123')).toEqual({
      streamId: '1700000000000-3',
      ms: '1700000000000',
      seq: '3',
      epoch: '0abc123',
    });
    expect(formatPosition('1700000000000-3', '0abc123')).toBe('1700000000000-3.0abc123');
    expect(parseStreamPosition('0-0.abc')).toMatchObject({ ms: '0', seq: '0' });
  });

  it('refuses anything Redis would not have written', () => {
    for (const bogus of [
      '',
      'garbage',
      '12',
      '1-0',
      '1-0.',
      '.abc',
      '1.abc',
      '01-0.abc',
      '1-00.abc',
      '-1-0.abc',
      '1-0.ABC',
      '1-0.a.b',
      '1-0.a b',
      ' 1-0.abc',
      '1-0.abc\n',
      '18446744073709551616-0.abc',
      '0-18446744073709551616.abc',
      '1-0.' + 'a'.repeat(17),
      'x'.repeat(500),
    ]) {
      expect({ bogus, parsed: parseStreamPosition(bogus) }).toEqual({ bogus, parsed: null });
    }
    expect(parseStreamId('18446744073709551615-18446744073709551615')).not.toBeNull();
  });

  it('compares ms, then seq, numerically and exactly beyond 2^53', () => {
    const id = (s: string) => parseStreamId(s)!;
    expect(compareStreamIds(id('9-0'), id('10-0'))).toBeLessThan(0);
    expect(compareStreamIds(id('10-0'), id('9-99'))).toBeGreaterThan(0);
    expect(compareStreamIds(id('5-9'), id('5-10'))).toBeLessThan(0);
    expect(compareStreamIds(id('5-7'), id('5-7'))).toBe(0);
    // 2^53 + 1 and 2^53 are the same double: digit strings keep them apart.
    expect(compareStreamIds(id('1-9007199254740993'), id('1-9007199254740992'))).toBeGreaterThan(0);
    expect(compareStreamIds(id('1-18446744073709551615'), id('1-18446744073709551614'))).toBeGreaterThan(0);
  });

  it('ignores the epoch and sorts non-positions lowest', () => {
    expect(compareRedisPositions('5-1.aaa', '5-1.bbb')).toBe(0);
    expect(compareRedisPositions('5-1.zzz', '6-0.aaa')).toBeLessThan(0);
    expect(compareRedisPositions('garbage', '0-0.aaa')).toBeLessThan(0);
    expect(compareRedisPositions('0-0.aaa', 'garbage')).toBeGreaterThan(0);
    expect(compareRedisPositions('garbage', '')).toBe(0);
    const sorted = ['10-0.e', 'x', '9-5.e', '9-10.e', '0-0.e'].sort(compareRedisPositions);
    expect(sorted).toEqual(['x', '0-0.e', '9-5.e', '9-10.e', '10-0.e']);
  });
});
