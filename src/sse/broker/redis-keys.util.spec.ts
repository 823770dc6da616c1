import { redisChannelKeys, redisKeySlot } from './redis-keys.util.js';

describe('redisChannelKeys', () => {
  it('puts every name of a channel under its {channel} hash tag', () => {
    const keys = redisChannelKeys('sse:', 'orders');
    expect(keys).toEqual({
      stream: 'sse:{orders}:stream',
      meta: 'sse:{orders}:meta',
      idem: 'sse:{orders}:idem',
      idemq: 'sse:{orders}:idemq',
      live: 'sse:{orders}:live',
    });
    expect(new Set(Object.values(keys).map(redisKeySlot))).toEqual(new Set([redisKeySlot('orders')]));
  });

  it('refuses a channel name that could move the hash tag', () => {
    expect(() => redisChannelKeys('sse:', 'a}b')).toThrow(/channel name/);
  });
});

describe('redisKeySlot', () => {
  it('matches CLUSTER KEYSLOT', () => {
    // Values from Redis' own documentation and `redis-cli CLUSTER KEYSLOT` on 7.0.
    expect(redisKeySlot('123456789')).toBe(12_739); // CRC16 0x31C3
    expect(redisKeySlot('somekey')).toBe(11_058);
    expect(redisKeySlot('foo{hash_tag}')).toBe(2_515);
    expect(redisKeySlot('{user1000}.following')).toBe(redisKeySlot('{user1000}.followers'));
  });

  it('hashes the whole key when the tag is empty or unclosed', () => {
    expect(redisKeySlot('foo{}{bar}')).toBe(8_363);
    expect(redisKeySlot('{bar')).toBe(4_015);
    expect(redisKeySlot('bar')).toBe(5_061);
  });
});
