/**
 * What one instance tells the others about itself. Only instances that serve streams
 * report (see `Rebalancer`): an application that only publishes is not part of the cluster's
 * spread.
 */
export interface InstancePresence {
  readonly id: string;
  /** Streams it holds right now. */
  readonly connections: number;
  /** When it last reported, ms since the Unix epoch. */
  readonly seenAt: number;
  /**
   * Live events written to its subscribers per second over its last report interval (one
   * event to three subscribers counts three). 0 from an instance that does not say.
   */
  readonly deliveryRate: number;
  /**
   * Mean time from an event's store (the broker's clock) to its fan-out on the instance, ms,
   * over its last report interval; `null` when no live event arrived in it.
   */
  readonly lagMs: number | null;
  /** The longest such time in that interval, ms; `null` as `lagMs`. */
  readonly lagMaxMs: number | null;
}

/** What an instance reports; the presence stamps `seenAt`. */
export type InstanceReport = Omit<InstancePresence, 'seenAt'>;

/** How many subscribers one instance holds on one channel. */
export interface ChannelSubscribers {
  readonly id: string;
  readonly subscribers: number;
}

/**
 * Presence of the instances that serve streams: each reports itself now and then, with an
 * expiry, so a dead instance drops out on its own; and, beside it, how many local
 * subscribers it holds per channel (`GET /channels/:channel/presence`).
 */
export interface ClusterPresence {
  report(presence: InstanceReport, ttlMs: number): Promise<void>;
  /** The instances whose last report has not expired, by id. */
  list(): Promise<InstancePresence[]>;
  /**
   * This instance's subscribers per channel (a count of 0 is as no entry), kept for `ttlMs`
   * unless reported again. Implementations send only what changed since the last successful
   * call, so a report stays small however many channels the instance holds; they keep
   * `counts` as given, so pass a snapshot nothing changes afterwards.
   */
  reportChannels(id: string, counts: ReadonlyMap<string, number>, ttlMs: number): Promise<void>;
  /** Subscribers of `channel` on each of `instances` (ids); instances with none are left out. */
  channelSubscribers(channel: string, instances: readonly string[]): Promise<ChannelSubscribers[]>;
  /** Drops this instance at once (clean shutdown), its channel counts with it. */
  leave(id: string): Promise<void>;
  close(): Promise<void>;
}

/** Instances in the order of their ids' code points: the same everywhere (no locale rules). */
export function byInstanceId(a: { readonly id: string }, b: { readonly id: string }): number {
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** Injection token of the active presence. */
export const ClusterPresence = Symbol('ClusterPresence');
