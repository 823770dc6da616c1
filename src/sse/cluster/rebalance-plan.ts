import type { InstancePresence } from './presence.interface.js';

export interface RebalanceInput {
  readonly self: string;
  /** Streams this instance holds right now (fresher than its last report). */
  readonly mine: number;
  /** The instances that serve streams (this one's entry, if any, is replaced by `mine`). */
  readonly instances: readonly Pick<InstancePresence, 'id' | 'connections'>[];
  readonly ratio: number;
  /** Most streams to shed in this step. */
  readonly maxShed: number;
  /** Whether this instance was already shedding in the previous step. */
  readonly shedding: boolean;
}

export interface RebalanceStep {
  readonly shed: number;
  readonly shedding: boolean;
  readonly mean: number;
}

/**
 * How many streams to shed now (whether shedding has any effect is `ShedBackoff`'s part). An instance starts shedding when it holds more than
 * `ratio` times the cluster mean, and goes on (a few per step) until it is down to the mean:
 * stopping at the threshold would leave the spread uneven. Pure, so it is unit-tested alone.
 */
export function planRebalance(input: RebalanceInput): RebalanceStep {
  const others = input.instances.filter((i) => i.id !== input.self);
  const count = others.length + 1;
  const total = others.reduce((sum, i) => sum + i.connections, input.mine);
  const mean = total / count;
  const target = Math.ceil(mean);
  if (count < 2 || input.ratio === 0 || input.mine <= target) return { shed: 0, shedding: false, mean };
  const shedding = input.shedding || input.mine > input.ratio * mean;
  if (!shedding) return { shed: 0, shedding: false, mean };
  return { shed: Math.min(input.maxShed, input.mine - target), shedding: true, mean };
}
