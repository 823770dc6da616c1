import type { InstancePresence, RebalancerView } from '../../sse/internals.js';

/** `GET /cluster` as JSON. */
export interface ClusterView {
  readonly self: string;
  /**
   * The instances that serve streams, by id: `connections` (streams held), `seenAt` (last
   * report, ms since the Unix epoch), `deliveryRate` (live events written to its subscribers
   * per second over its last report interval), `lagMs` / `lagMaxMs` (mean / longest time from
   * an event's store to its fan-out there, in that interval; null without events).
   */
  readonly instances: readonly (InstancePresence & { readonly self: boolean })[];
  /** Streams on all of them. */
  readonly total: number;
  readonly mean: number;
  /** Largest count over smallest (1 is perfectly even; null with an empty instance). */
  readonly spread: number | null;
  /** Streams this instance has moved away to even out the cluster since it started. */
  readonly shedByThisInstance: number;
  /** Live events written per second on all instances together. */
  readonly deliveryRate: number;
  /**
   * This instance's rebalancing: `state` off (`SSE_REBALANCE_RATIO=0`), idle, shedding, or
   * paused (shedding had no effect; `pausedUntil` ms since the Unix epoch, `backoffs` in a row).
   */
  readonly rebalancing: {
    readonly state: RebalancerView['rebalancing'];
    readonly pausedUntil: number | null;
    readonly backoffs: number;
  };
}

/** The JSON view of what the rebalancer last saw. */
export function clusterView(view: RebalancerView): ClusterView {
  const { self, instances, shed } = view;
  const counts = instances.map((i) => i.connections);
  const total = counts.reduce((a, b) => a + b, 0);
  const min = Math.min(...counts);
  return {
    self,
    instances: instances.map((i) => ({ ...i, self: i.id === self })),
    total,
    mean: instances.length > 0 ? total / instances.length : 0,
    spread: instances.length > 0 && min > 0 ? Math.max(...counts) / min : null,
    shedByThisInstance: shed,
    deliveryRate: Math.round(instances.reduce((sum, i) => sum + i.deliveryRate, 0) * 10) / 10,
    rebalancing: { state: view.rebalancing, ...view.backoff },
  };
}
