import { MemoryBroker } from './memory.broker.js';
import { brokerContract } from './testing/broker.contract.js';

brokerContract('MemoryBroker', {
  create: async (historyLimit) => new MemoryBroker({ historyLimit }),
});

describe('MemoryBroker', () => {
  it('refuses a history limit that is not a positive integer', () => {
    expect(() => new MemoryBroker({ historyLimit: 0 })).toThrow(RangeError);
    expect(() => new MemoryBroker({ historyLimit: 1.5 })).toThrow(RangeError);
  });

  it('keeps delivering to other listeners when one throws', async () => {
    const broker = new MemoryBroker({ historyLimit: 10 });
    const seen: string[] = [];
    await broker.subscribe('c', { onEvent: () => { throw new Error('boom'); } });
    await broker.subscribe('c', { onEvent: (e) => seen.push(e.data) });
    await expect(broker.publish('c', { data: '1' })).resolves.toMatchObject({ duplicate: false });
    expect(seen).toEqual(['1']);
  });
});
