import { planRebalance } from './rebalance-plan.js';

const instance = (id: string, connections: number) => ({ id, connections, seenAt: 0 });

describe('planRebalance', () => {
  const base = { self: 'a', ratio: 1.25, maxShed: 5, shedding: false };

  it('sheds nothing alone, when even, or below the threshold', () => {
    expect(planRebalance({ ...base, mine: 100, instances: [instance('a', 100)] }).shed).toBe(0);
    expect(planRebalance({ ...base, mine: 100, instances: [instance('a', 100), instance('b', 100)] }).shed).toBe(0);
    expect(planRebalance({ ...base, mine: 110, instances: [instance('a', 110), instance('b', 90)] }).shed).toBe(0);
  });

  it('starts above ratio x mean, at most maxShed per step', () => {
    const step = planRebalance({ ...base, mine: 150, instances: [instance('a', 150), instance('b', 150), instance('c', 0)] });
    expect(step).toEqual({ shed: 5, shedding: true, mean: 100 });
  });

  it('goes on below the threshold until down to the mean, then stops', () => {
    const instances = [instance('b', 100), instance('c', 100)];
    // 110 is under 1.25 x mean (103.3), yet an instance already shedding goes on.
    expect(planRebalance({ ...base, mine: 110, instances })).toMatchObject({ shed: 0, shedding: false });
    expect(planRebalance({ ...base, mine: 110, instances, shedding: true })).toMatchObject({ shed: 5, shedding: true });
    expect(planRebalance({ ...base, mine: 106, instances, shedding: true }).shed).toBe(4);
    expect(planRebalance({ ...base, mine: 102, instances, shedding: true }).shed).toBe(1);
    expect(planRebalance({ ...base, mine: 101, instances, shedding: true })).toMatchObject({ shed: 0, shedding: false });
  });

  it('uses its own fresh count rather than its last report', () => {
    const step = planRebalance({ ...base, mine: 30, instances: [instance('a', 300), instance('b', 0)] });
    expect(step.mean).toBe(15);
    expect(step.shed).toBe(5);
  });

  it('is off with ratio 0', () => {
    expect(planRebalance({ ...base, ratio: 0, mine: 300, instances: [instance('a', 300), instance('b', 0)] }).shed).toBe(0);
  });
});
