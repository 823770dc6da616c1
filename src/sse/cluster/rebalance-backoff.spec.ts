import { ShedBackoff, type ShedBackoffOptions } from './rebalance-backoff.js';
import { planRebalance } from './rebalance-plan.js';

const options: ShedBackoffOptions = { settleMs: 2200, minSample: 10, firstPauseMs: 10_000, maxPauseMs: 40_000 };

/** Asks and sheds `count` when allowed; answers the decision. */
function step(backoff: ShedBackoff, now: number, excess: number, count: number) {
  const decision = backoff.beforeShed(now, excess);
  if (decision.kind === 'shed') backoff.shed(now, count);
  return decision;
}

describe('ShedBackoff', () => {
  it('sheds a window, holds until its clients have landed, and goes on when they stayed away', () => {
    const backoff = new ShedBackoff(options);
    expect(step(backoff, 0, 50, 5)).toEqual({ kind: 'shed' });
    expect(step(backoff, 1000, 45, 5)).toEqual({ kind: 'shed' });
    // 10 shed: nothing more until 2200 ms after the last one.
    expect(step(backoff, 2000, 40, 5)).toEqual({ kind: 'holding', untilMs: 3200 });
    expect(step(backoff, 3000, 40, 5)).toEqual({ kind: 'holding', untilMs: 3200 });
    // The excess fell by all 10: it works, and the next window is four times larger.
    expect(step(backoff, 4000, 40, 5)).toEqual({ kind: 'shed' });
    for (let t = 5000; t <= 11_000; t += 1000) expect(step(backoff, t, 40 - (t - 4000) / 200, 5)).toEqual({ kind: 'shed' });
    expect(step(backoff, 12_000, 0, 5)).toEqual({ kind: 'holding', untilMs: 13_200 });
    expect(backoff.state(12_000)).toEqual({ pausedUntil: null, backoffs: 0 });
  });

  it('pauses when the shed clients came back, and says how many stayed away', () => {
    const backoff = new ShedBackoff(options);
    // 10 streams beside an instance no client reaches: the mean is 5, and whatever is shed returns.
    step(backoff, 0, 5, 5);
    step(backoff, 1000, 5, 5);
    expect(step(backoff, 2000, 5, 5)).toEqual({ kind: 'holding', untilMs: 3200 });
    expect(step(backoff, 4000, 5, 5)).toEqual({ kind: 'backed-off', pauseMs: 10_000, untilMs: 14_000, backoffs: 1, shed: 10, stayedAway: 0 });
    expect(backoff.state(4000)).toEqual({ pausedUntil: 14_000, backoffs: 1 });
    expect(step(backoff, 13_999, 5, 5)).toEqual({ kind: 'paused', untilMs: 14_000 });
  });

  it('counts a window that works only in part as working, above a tenth', () => {
    const partly = new ShedBackoff(options);
    step(partly, 0, 30, 10);
    expect(step(partly, 3000, 28, 10)).toEqual({ kind: 'shed' }); // 2 of 10 stayed away
    const barely = new ShedBackoff(options);
    step(barely, 0, 30, 10);
    expect(step(barely, 3000, 29.5, 10)).toMatchObject({ kind: 'backed-off', shed: 10, stayedAway: 1 });
  });

  it('doubles the pause for every back-off in a row, up to the longest', () => {
    const backoff = new ShedBackoff(options);
    const pauses: number[] = [];
    for (let t = 0; pauses.length < 4; t += 1000) {
      const decision = step(backoff, t, 5, 5);
      if (decision.kind === 'backed-off') pauses.push(decision.pauseMs);
    }
    expect(pauses).toEqual([10_000, 20_000, 40_000, 40_000]);
    expect(backoff.state(0).backoffs).toBe(4);
  });

  it('starts the series again once a window works', () => {
    const backoff = new ShedBackoff(options);
    step(backoff, 0, 5, 10);
    expect(step(backoff, 3000, 5, 10).kind).toBe('backed-off');
    // After the pause the other instance is reachable: the excess falls with each shed.
    expect(step(backoff, 13_000, 20, 10).kind).toBe('shed');
    expect(step(backoff, 16_000, 10, 10).kind).toBe('shed');
    expect(backoff.state(16_000)).toEqual({ pausedUntil: null, backoffs: 0 });
  });

  it('takes a full window followed by nothing more to shed as working', () => {
    const backoff = new ShedBackoff(options);
    step(backoff, 0, 5, 10);
    expect(step(backoff, 3000, 5, 10).kind).toBe('backed-off');
    step(backoff, 13_000, 10, 10);
    backoff.idle(14_000); // still landing: not judged
    expect(backoff.state(14_000).backoffs).toBe(1);
    backoff.idle(15_200); // landed, and the plan wants nothing more
    expect(backoff.state(15_200).backoffs).toBe(0);
  });

  it('forgets a window too small to judge after a quiet spell, and old back-offs after the longest pause', () => {
    const backoff = new ShedBackoff(options);
    step(backoff, 0, 5, 10);
    expect(step(backoff, 3000, 5, 10).kind).toBe('backed-off');
    step(backoff, 13_000, 5, 3); // 3 of 10
    backoff.idle(17_401);
    // A new window starts from scratch: 10 more before any judgement.
    for (let t = 18_000; t < 20_000; t += 1000) expect(step(backoff, t, 5, 4).kind).toBe('shed');
    expect(step(backoff, 20_000, 5, 4).kind).toBe('shed');
    backoff.idle(13_000 + 40_001 + 7000);
    expect(backoff.state(60_001)).toEqual({ pausedUntil: null, backoffs: 0 });
  });
});

/**
 * A small cluster over time: instances with stream counts, clients shed by one of them
 * reconnecting after 0.2-1.2 s through a balancer, and each instance running the plan and the
 * back-off every second against the others' counts of the second before, as the Rebalancer
 * does with presence.
 */
function simulate(
  start: Record<string, number>,
  balancer: (counts: Record<string, number>) => string,
  seconds: number,
  judge = true,
): { counts: Record<string, number>; shed: Record<string, number>; backoffs: Record<string, number> } {
  let seed = 42;
  const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const counts = { ...start };
  const ids = Object.keys(counts);
  const settleMs = 2200;
  const state = Object.fromEntries(
    ids.map((id) => [id, { shedding: false, backoff: new ShedBackoff({ settleMs, minSample: judge ? 10 : Infinity, firstPauseMs: 10_000, maxPauseMs: 300_000 }) }]),
  );
  const shed = Object.fromEntries(ids.map((id) => [id, 0]));
  const backoffs = Object.fromEntries(ids.map((id) => [id, 0]));
  let reported = { ...counts };
  let inFlight: number[] = [];
  for (let now = 0; now <= seconds * 1000; now += 100) {
    for (const _ of inFlight.filter((at) => at <= now)) counts[balancer(counts)]!++;
    inFlight = inFlight.filter((at) => at > now);
    if (now % 1000 !== 0) continue;
    for (const id of ids) {
      const instances = ids.map((other) => ({ id: other, connections: reported[other]! }));
      const plan = planRebalance({ self: id, mine: counts[id]!, instances, ratio: 1.25, maxShed: 5, shedding: state[id]!.shedding });
      if (plan.shed === 0) {
        state[id]!.shedding = plan.shedding;
        state[id]!.backoff.idle(now);
        continue;
      }
      const decision = state[id]!.backoff.beforeShed(now, counts[id]! - plan.mean);
      if (decision.kind === 'backed-off') backoffs[id]!++;
      if (decision.kind === 'paused' || decision.kind === 'backed-off') state[id]!.shedding = false;
      if (decision.kind !== 'shed') continue;
      state[id]!.shedding = true;
      counts[id]! -= plan.shed;
      shed[id]! += plan.shed;
      state[id]!.backoff.shed(now, plan.shed);
      for (let i = 0; i < plan.shed; i++) inFlight.push(now + 200 + Math.floor(random() * 1000));
    }
    reported = { ...counts };
  }
  return { counts, shed, backoffs };
}

const leastConnections = (reachable: readonly string[]) => (counts: Record<string, number>) =>
  [...reachable].sort((a, b) => counts[a]! - counts[b]! || (a < b ? -1 : 1))[0]!;
const spreadOf = (counts: Record<string, number>) => Math.max(...Object.values(counts)) - Math.min(...Object.values(counts));

describe('the plan and the back-off together', () => {
  it('even out three instances after one joins, never backing off', () => {
    const result = simulate({ a: 150, b: 150, c: 0 }, leastConnections(['a', 'b', 'c']), 60);
    expect(spreadOf(result.counts)).toBeLessThanOrEqual(2);
    expect(result.backoffs).toEqual({ a: 0, b: 0, c: 0 });
  });

  it('even out behind a balancer that spreads the moved clients over all three (a freshly reloaded nginx)', () => {
    let seed = 7;
    const uniform = () => ['a', 'b', 'c'][(seed = (seed * 1103515245 + 12345) % 2 ** 31) % 3]!;
    const result = simulate({ a: 150, b: 150, c: 0 }, uniform, 120);
    // Two of three shed: a third of what they shed stays away. Slower, but it gets there.
    expect(Math.max(...Object.values(result.counts))).toBeLessThanOrEqual(1.25 * 100 + 1);
    expect(result.counts.c).toBeGreaterThanOrEqual(75);
    expect(result.backoffs).toEqual({ a: 0, b: 0, c: 0 });
  });

  it('keep going when a round-robin balancer sends a third of the moved clients back', () => {
    let turn = 0;
    const result = simulate({ a: 150, b: 75, c: 75 }, () => ['a', 'b', 'c'][turn++ % 3]!, 120);
    expect(result.backoffs).toEqual({ a: 0, b: 0, c: 0 });
    expect(result.counts.a).toBeLessThanOrEqual(101);
  });

  it('stop churning when the balancer knows one instance only: a few shed, then growing pauses', () => {
    // 10 streams on the one instance the balancer knows, beside one no client reaches.
    const result = simulate({ a: 10, b: 0 }, () => 'a', 600);
    const unchecked = simulate({ a: 10, b: 0 }, () => 'a', 600, false);
    process.stdout.write(`one reachable instance, 10 min: shed ${result.shed.a} with the back-off, ${unchecked.shed.a} without\n`);
    expect(result.counts).toEqual({ a: 10, b: 0 });
    // 10, 20, 40, 80, 160, 300 s pauses, each after a window of 10 or so.
    expect(result.backoffs.a).toBe(6);
    expect(result.shed.a).toBeLessThanOrEqual(7 * 15);
    expect(result.shed.a).toBeLessThan(unchecked.shed.a / 10);
  });

  it('stop two instances bouncing clients between them towards an unreachable third', () => {
    let turn = 0;
    const roundRobin = () => (turn++ % 2 === 0 ? 'a' : 'b');
    const result = simulate({ a: 20, b: 20, c: 0 }, roundRobin, 300);
    const unchecked = simulate({ a: 20, b: 20, c: 0 }, roundRobin, 300, false);
    const total = (r: typeof result) => r.shed.a! + r.shed.b!;
    process.stdout.write(`two bouncing instances, 5 min: shed ${total(result)} with the back-off, ${total(unchecked)} without\n`);
    expect(result.backoffs.a).toBeGreaterThanOrEqual(3);
    expect(result.backoffs.b).toBeGreaterThanOrEqual(3);
    expect(total(result)).toBeLessThan(total(unchecked) / 5);
  });
});
