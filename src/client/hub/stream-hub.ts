import type { HubMessage, StreamSpec } from '../client.types.js';
import type { BackoffOptions } from './backoff.js';
import { HubStream } from './hub-stream.js';
import { streamKey } from './stream-url.js';

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
 * Every stream of one page or one shared worker: subscriptions asking for the same channels
 * from the same start share one stream, opened with the first and closed (after a short
 * linger) with the last. A newcomer gets the current state at once, then what follows.
 */
export class StreamHub {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly options: StreamHubOptions = {}) {}

  subscribe(spec: StreamSpec, listener: (message: HubMessage) => void): () => void {
    const key = streamKey(spec.baseUrl, spec.channels, spec.startUrl);
    let entry = this.entries.get(key);
    if (!entry) {
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
    const owner = entry;
    let active = true;
    return () => {
      if (!active) return;
      active = false;
      owner.listeners.delete(listener);
      if (owner.listeners.size > 0) return;
      owner.linger = setTimeout(() => {
        if (owner.listeners.size > 0 || this.entries.get(key) !== owner) return;
        this.entries.delete(key);
        owner.stream.close();
      }, this.options.lingerMs ?? 250);
    };
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
