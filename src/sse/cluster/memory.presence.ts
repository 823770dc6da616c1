import { byInstanceId, type ChannelSubscribers, type ClusterPresence, type InstancePresence, type InstanceReport } from './presence.interface.js';

interface Entry {
  readonly presence: InstancePresence;
  readonly expiresAt: number;
}

/** Presence within one process: what a single instance (in-memory broker) knows of itself. */
export class MemoryPresence implements ClusterPresence {
  private readonly instances = new Map<string, Entry>();
  private readonly channels = new Map<string, { counts: ReadonlyMap<string, number>; expiresAt: number }>();

  async report(presence: InstanceReport, ttlMs: number): Promise<void> {
    const now = Date.now();
    this.instances.set(presence.id, { presence: { ...presence, seenAt: now }, expiresAt: now + ttlMs });
  }

  async list(): Promise<InstancePresence[]> {
    const now = Date.now();
    const live: InstancePresence[] = [];
    for (const [id, entry] of this.instances) {
      if (entry.expiresAt <= now) this.instances.delete(id);
      else live.push(entry.presence);
    }
    return live.sort(byInstanceId);
  }

  async reportChannels(id: string, counts: ReadonlyMap<string, number>, ttlMs: number): Promise<void> {
    this.channels.set(id, { counts, expiresAt: Date.now() + ttlMs });
  }

  async channelSubscribers(channel: string, instances: readonly string[]): Promise<ChannelSubscribers[]> {
    const now = Date.now();
    const found: ChannelSubscribers[] = [];
    for (const id of instances) {
      const entry = this.channels.get(id);
      const subscribers = entry && entry.expiresAt > now ? (entry.counts.get(channel) ?? 0) : 0;
      if (subscribers > 0) found.push({ id, subscribers });
    }
    return found;
  }

  async leave(id: string): Promise<void> {
    this.instances.delete(id);
    this.channels.delete(id);
  }

  async close(): Promise<void> {
    this.instances.clear();
    this.channels.clear();
  }
}
