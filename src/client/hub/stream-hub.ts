import type { HubMessage, StreamSpec } from '../client.types.js';
import type { BackoffOptions } from './backoff.util.js';
import { HubStream } from './hub-stream.js';

export interface StreamHubOptions {
  readonly backoff?: BackoffOptions;
  /** How long a stream with no subscriber stays open, ms (default 250): a quick re-subscribe (React strict mode, a route change) reuses it. */
  readonly lingerMs?: number;
  readonly fetch?: typeof fetch;
}

interface Entry {
  readonly stream: HubStream;
  readonly listeners: Set<(message: HubMessage) => void>;
  linger?: ReturnType<typeof setTimeout>;
}

/**
 * Every stream of one page or one shared worker: a subscription joins an open stream of the
 * same channels when it wants events from now on, or when that stream stands exactly where
 * it wants to start; otherwise it gets its own. A stream opens with its first subscriber and
 * closes (after a short linger) with its last. A newcomer gets the current state (and
 * position) at once, then what follows.
 */
export class StreamHub {
  private readonly entries = new Map<string, Entry>();
  private serial = 0;

  constructor(private readonly options: StreamHubOptions = {}) {}

  subscribe(spec: StreamSpec, listener: (message: HubMessage) => void): () => void {
    let key = this.find(spec);
    let entry = key === undefined ? undefined : this.entries.get(key);
    if (!entry) {
      key = String(++this.serial);
      const listeners = new Set<(message: HubMessage) => void>();
      const stream = new HubStream(
        {
          baseUrl: spec.baseUrl,
          channels: spec.channels,
          startUrl: spec.startUrl,
          backoff: this.options.backoff,
          fetch: this.options.fetch ?? globalThis.fetch.bind(globalThis),
        },
        (message) => listeners.forEach((l) => l(message)),
      );
      entry = { stream, listeners };
      this.entries.set(key, entry);
      stream.start();
    }
    clearTimeout(entry.linger);
    entry.listeners.add(listener);
    listener({ kind: 'state', state: entry.stream.state });
    const position = entry.stream.positionUrl;
    if (position !== undefined) listener({ kind: 'position', url: position });
    const owner = entry;
    const ownKey = key!;
    let active = true;
    return () => {
      if (!active) return;
      active = false;
      owner.listeners.delete(listener);
      if (owner.listeners.size > 0) return;
      owner.linger = setTimeout(() => {
        if (owner.listeners.size > 0 || this.entries.get(ownKey) !== owner) return;
        this.entries.delete(ownKey);
        owner.stream.close();
      }, this.options.lingerMs ?? 250);
    };
  }

  /**
   * An open stream that serves `spec`: one of the same channels, standing where the spec
   * wants to start (a hand-over, a sync answered at the same head), or any when it wants
   * events from now on.
   */
  private find(spec: StreamSpec): string | undefined {
    for (const [key, entry] of this.entries) {
      if (!entry.stream.serves(spec.baseUrl, spec.channels)) continue;
      if (spec.startUrl === undefined || entry.stream.positionUrl === spec.startUrl) return key;
    }
    return undefined;
  }

  /** Streams open now (for tests and diagnostics). */
  get size(): number {
    return this.entries.size;
  }

  close(): void {
    for (const entry of this.entries.values()) {
      clearTimeout(entry.linger);
      entry.stream.close();
    }
    this.entries.clear();
  }
}
