import { SsePublishSerializer } from './sse-publish.serializer.js';

describe('SsePublishSerializer', () => {
  let n = 0;
  const serializer = new SsePublishSerializer(undefined, () => `key-${++n}`);
  beforeEach(() => (n = 0));

  it('gives every sse.publish message without a key a new one, each time it is sent', () => {
    const message = { channel: 'orders', data: { id: 1 } };
    expect(serializer.serialize({ pattern: 'sse.publish', data: message })).toEqual({ pattern: 'sse.publish', data: { channel: 'orders', data: { id: 1 }, idempotencyKey: 'key-1' } });
    expect(serializer.serialize({ pattern: 'sse.publish', data: message })).toEqual({ pattern: 'sse.publish', data: { channel: 'orders', data: { id: 1 }, idempotencyKey: 'key-2' } });
    expect(message).toEqual({ channel: 'orders', data: { id: 1 } }); // the sender's object is left alone
  });

  it("keeps the sender's own key, and leaves other patterns and non-objects untouched", () => {
    const keyed = { pattern: 'sse.publish', data: { channel: 'c', data: 1, idempotencyKey: 'mine' } };
    expect(serializer.serialize(keyed)).toBe(keyed);
    const other = { pattern: 'orders.created', data: { channel: 'c', data: 1 } };
    expect(serializer.serialize(other)).toBe(other);
    const text = { pattern: 'sse.publish', data: 'text' };
    expect(serializer.serialize(text)).toBe(text);
    const list = { pattern: 'sse.publish', data: [1] };
    expect(serializer.serialize(list)).toBe(list);
    expect(n).toBe(0);
  });

  it('hands the packet on to an inner serializer, with its options', () => {
    const seen: unknown[] = [];
    const wrapped = new SsePublishSerializer({ serialize: (value, options) => (seen.push([value, options]), 'out') }, () => 'k');
    expect(wrapped.serialize({ pattern: 'sse.publish', data: { channel: 'c', data: 1 } }, { x: 1 })).toBe('out');
    expect(seen).toEqual([[{ pattern: 'sse.publish', data: { channel: 'c', data: 1, idempotencyKey: 'k' } }, { x: 1 }]]);
  });

  it('makes a random UUID by default', () => {
    const out = new SsePublishSerializer().serialize({ pattern: 'sse.publish', data: { channel: 'c', data: 1 } }) as { data: { idempotencyKey: string } };
    expect(out.data.idempotencyKey).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});
