/** What one instance tells the others about itself. */
export interface InstancePresence {
  readonly id: string;
  /** Streams it holds right now. */
  readonly connections: number;
  /** When it last reported, ms since the Unix epoch. */
  readonly seenAt: number;
}

/**
 * Presence of the gateway's instances: each reports itself now and then, with an expiry,
 * so a dead instance drops out on its own.
 */
export interface ClusterPresence {
  report(presence: Omit<InstancePresence, 'seenAt'>, ttlMs: number): Promise<void>;
  /** The instances whose last report has not expired, by id. */
  list(): Promise<InstancePresence[]>;
  /** Drops this instance at once (clean shutdown). */
  leave(id: string): Promise<void>;
  close(): Promise<void>;
}

/** Injection token of the active presence. */
export const ClusterPresence = Symbol('ClusterPresence');
