import { clusterView } from './cluster-view.js';

const instance = (id: string, connections: number, deliveryRate = 0) => ({ id, connections, seenAt: 1, deliveryRate, lagMs: null, lagMaxMs: null });

describe('clusterView', () => {
  it('adds up the instances and marks this one', () => {
    const view = clusterView({
      self: 'b',
      instances: [instance('a', 30, 12.5), instance('b', 10, 2.25)],
      shed: 4,
      servesStreams: true,
      rebalancing: 'paused',
      backoff: { pausedUntil: 5000, backoffs: 2 },
    });
    expect(view).toEqual({
      self: 'b',
      instances: [
        { ...instance('a', 30, 12.5), self: false },
        { ...instance('b', 10, 2.25), self: true },
      ],
      total: 40,
      mean: 20,
      spread: 3,
      shedByThisInstance: 4,
      deliveryRate: 14.8,
      rebalancing: { state: 'paused', pausedUntil: 5000, backoffs: 2 },
    });
  });

  it('has no spread with an empty instance, and a mean of 0 with no instance at all', () => {
    const backoff = { pausedUntil: null, backoffs: 0 };
    expect(clusterView({ self: 'a', instances: [instance('a', 5), instance('b', 0)], shed: 0, servesStreams: true, rebalancing: 'idle', backoff }).spread).toBeNull();
    expect(clusterView({ self: 'a', instances: [], shed: 0, servesStreams: false, rebalancing: 'idle', backoff })).toMatchObject({ total: 0, mean: 0, spread: null });
  });
});
