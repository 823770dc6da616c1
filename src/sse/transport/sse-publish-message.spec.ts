import { OversizedMessage, readPublishMessage } from './sse-publish-message.js';

const MAX = 64;
const read = (value: unknown) => readPublishMessage(value, MAX);
const reason = (value: unknown) => {
  const result = read(value);
  return result.ok ? 'ok' : result.reason;
};

describe('readPublishMessage', () => {
  it('accepts a message with every field, or without an event type, and measures its data as JSON', () => {
    expect(read({ channel: 'orders.eu', event: 'order.created', data: { id: 'o-1' }, idempotencyKey: 'k-1' })).toEqual({
      ok: true,
      message: { channel: 'orders.eu', event: 'order.created', data: { id: 'o-1' }, idempotencyKey: 'k-1' },
      bytes: 12,
    });
    expect(read({ channel: 'c', data: null, idempotencyKey: 'k' })).toEqual({ ok: true, message: { channel: 'c', data: null, idempotencyKey: 'k' }, bytes: 4 });
  });

  it('names each kind of bad message by its reason', () => {
    const key = { idempotencyKey: 'k' };
    expect(reason('text')).toBe('not-an-object');
    expect(reason(null)).toBe('not-an-object');
    expect(reason(undefined)).toBe('not-an-object');
    expect(reason([{ channel: 'c', data: 1, ...key }])).toBe('not-an-object');
    expect(reason({ channel: 'c', data: 1, evnt: 'x', ...key })).toBe('unknown-field');
    expect(reason({ data: 1, ...key })).toBe('invalid-channel');
    expect(reason({ channel: 7, data: 1, ...key })).toBe('invalid-channel');
    expect(reason({ channel: 'a b', data: 1, ...key })).toBe('invalid-channel');
    expect(reason({ channel: 'x'.repeat(129), data: 1, ...key })).toBe('invalid-channel');
    expect(reason({ channel: 'c', ...key })).toBe('missing-data');
    expect(reason({ channel: 'c', data: undefined, ...key })).toBe('missing-data');
    expect(reason({ channel: 'c', event: 3, data: 1, ...key })).toBe('invalid-event');
    expect(reason({ channel: 'c', event: 'a\nb', data: 1, ...key })).toBe('invalid-event');
    expect(reason({ channel: 'c', event: '', data: 1, ...key })).toBe('invalid-event');
    expect(reason({ channel: 'c', event: 'reset', data: 1, ...key })).toBe('reserved-event');
    expect(reason({ channel: 'c', event: 'error', data: 1, ...key })).toBe('reserved-event');
    expect(reason({ channel: 'c', event: 'sse.anything', data: 1, ...key })).toBe('reserved-event');
    expect(reason({ channel: 'c', data: 1 })).toBe('missing-key');
    expect(reason({ channel: 'c', data: 1, idempotencyKey: '' })).toBe('invalid-key');
    expect(reason({ channel: 'c', data: 1, idempotencyKey: 'a b' })).toBe('invalid-key');
    expect(reason({ channel: 'c', data: 1, idempotencyKey: 'é' })).toBe('invalid-key');
    expect(reason({ channel: 'c', data: 1, idempotencyKey: 'k'.repeat(201) })).toBe('invalid-key');
    expect(reason({ channel: 'c', data: 1, idempotencyKey: 5 })).toBe('invalid-key');
    expect(reason({ channel: 'c', data: 'x'.repeat(MAX - 2), ...key })).toBe('ok');
    expect(reason({ channel: 'c', data: 'x'.repeat(MAX - 1), ...key })).toBe('too-large');
    expect(reason({ channel: 'c', data: 'é'.repeat(MAX / 2), ...key })).toBe('too-large'); // bytes, not characters
    expect(reason(new OversizedMessage(9000, 5000))).toBe('too-large');
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(reason({ channel: 'c', data: cyclic, ...key })).toBe('invalid-data');
    expect(reason({ channel: 'c', data: () => 1, ...key })).toBe('invalid-data');
  });

  it('says what is wrong in one line, with the channel once it is known, and never echoes the key', () => {
    expect(read({ channel: 'c', event: 'reset', data: 1, idempotencyKey: 'secret-ish key' })).toEqual({
      ok: false,
      reason: 'reserved-event',
      detail: 'event type "reset" is reserved for events the gateway sends itself',
      channel: 'c',
    });
    const badKey = read({ channel: 'c', data: 1, idempotencyKey: 'secret-ish key' });
    expect(badKey).toEqual({ ok: false, reason: 'invalid-key', detail: 'idempotencyKey must be a string of 1-200 visible ASCII characters', channel: 'c' });
    expect(read(42)).toEqual({ ok: false, reason: 'not-an-object', detail: 'the message must be an object {channel, event?, data, idempotencyKey?}, got a number' });
    expect(read(new OversizedMessage(9000, 5000))).toEqual({ ok: false, reason: 'too-large', detail: 'the message is 9000 characters long, over the 5000 read at most; dropped unread' });
    for (const value of [{ channel: 'c\nd', data: 1 }, { channel: 'c', event: 'a\r\nb', data: 1, idempotencyKey: 'k' }]) {
      const result = read(value);
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.detail).not.toMatch(/[\r\n]/);
    }
  });
});
