import type { ClusterPresence, InstancePresence } from './presence.interface.js';

/** Presence within one process: what a single instance (in-memory broker) knows of itself. */
export class MemoryPresence implements ClusterPresence {
  private readonly instances = new Map<string, InstancePresence & { expiresAt: number }>();

  async report(presence: Omit<InstancePresence, 'seenAt'>, ttlMs: number): Promise<void> {
    const now = Date.now();
    this.instances.set(presence.id, { ...presence, seenAt: now, expiresAt: now + ttlMs });
  }

  async list(): Promise<InstancePresence[]> {
    const now = Date.now();
    const live: InstancePresence[] = [];
    for (const [id, entry] of this.instances) {
      if (entry.expiresAt <= now) this.instances.delete(id);
      else live.push({ id: entry.id, connections: entry.connections, seenAt: entry.seenAt });
    }
    return live.sort((a, b) => a.id.localeCompare(b.id));
  }

  async leave(id: string): Promise<void> {
    this.instances.delete(id);
  }

  async close(): Promise<void> {
    this.instances.clear();
  }
}
