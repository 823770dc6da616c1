import { StreamPosition } from './stream-position.js';

describe('StreamPosition', () => {
  it('reads <ms>-<seq>.<epoch> and writes it back', () => {
    const position = StreamPosition.parse('1700000000000-3.0abc123')!;
    expect(position).toMatchObject({ ms: 1700000000000, seq: 3, epoch: '0abc123', entryId: '1700000000000-3' });
    expect(position.toString()).toBe('1700000000000-3.0abc123');
    expect(StreamPosition.of(5, 0, 'e').toString()).toBe('5-0.e');
    expect(StreamPosition.start('e')).toMatchObject({ isStart: true, entryId: '0-0' });
    expect(StreamPosition.parse('0-0.abc')!.isStart).toBe(true);
    expect(StreamPosition.fromEntryId('12-7', 'ep')!.toString()).toBe('12-7.ep');
  });

  it('refuses anything it would not have written, and ids no broker can have issued', () => {
    for (const bogus of [
      '', 'garbage', '12', '1-0', '1-0.', '.abc', '1.abc', '01-0.abc', '1-00.abc', '-1-0.abc', '1-0.ABC',
      '1-0.a.b', '1-0.a b', ' 1-0.abc', '1-0.abc\n', '1--0.abc', '1-0-0.abc',
      // Beyond 2^53 - 1: Redis could hold such an id only if someone wrote it by hand.
      '9007199254740992-0.abc', '0-9007199254740992.abc', '18446744073709551615-0.abc',
      `1-0.${'a'.repeat(17)}`, 'x'.repeat(500),
    ]) {
      expect({ bogus, parsed: StreamPosition.parse(bogus) }).toEqual({ bogus, parsed: null });
    }
    expect(StreamPosition.parse('9007199254740991-9007199254740991.z')).not.toBeNull();
    expect(StreamPosition.fromEntryId('x-1', 'e')).toBeNull();
  });

  it('orders by ms, then seq, as numbers, whatever the epoch', () => {
    const p = (text: string) => StreamPosition.parse(text)!;
    expect(p('9-0.e').compare(p('10-0.e'))).toBeLessThan(0);
    expect(p('10-0.e').compare(p('9-99.e'))).toBeGreaterThan(0);
    expect(p('5-9.e').compare(p('5-10.e'))).toBeLessThan(0);
    expect(p('5-7.a').compare(p('5-7.b'))).toBe(0);
    expect(p('5-7.a').equals(p('5-7.b'))).toBe(false);
    expect(p('5-7.a').equals(StreamPosition.of(5, 7, 'a'))).toBe(true);
    const sorted = ['10-0.e', '9-5.e', '9-10.e', '0-0.e'].map(p).sort((a, b) => a.compare(b)).map(String);
    expect(sorted).toEqual(['0-0.e', '9-5.e', '9-10.e', '10-0.e']);
  });
});
