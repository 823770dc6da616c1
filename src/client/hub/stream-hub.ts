import type { HubMessage, StreamSpec } from '../client.types.js';
import type { BackoffOptions } from './backoff.util.js';
import { HubStream } from './hub-stream.js';
import { urlPosition } from './stream-url.util.js';
import { firstToken, type TokenProvider } from './token-providers.util.js';

export interface StreamHubOptions {
  readonly backoff?: BackoffOptions;
  /** How long a stream with no subscriber stays open, ms (default 250): a quick re-subscribe (React strict mode, a route change) reuses it. */
  readonly lingerMs?: number;
  readonly fetch?: typeof fetch;
}

/** One subscription: where its messages go, and how to get a token from whoever made it. */
interface Subscriber {
  readonly listener: (message: HubMessage) => void;
  readonly tokens: TokenProvider | undefined;
}

interface Entry {
  readonly stream: HubStream;
  /** In subscription order: the oldest subscriber is asked for a token first. */
  readonly subscribers: Set<Subscriber>;
  linger?: ReturnType<typeof setTimeout>;
}

/**
 * Every stream of one page or one shared worker: a subscription joins an open stream of the
 * same channels (authorized the same way) when it wants events from now on, or when that
 * stream stands exactly where it wants to start; otherwise it gets its own. A stream opens
 * with its first subscriber and closes (after a short linger) with its last. A newcomer
 * gets the current state (and position) at once, then what follows. A stream that gave up
 * (`unauthorized`) takes no newcomers: a later subscription starts afresh.
 */
export class StreamHub {
  private readonly entries = new Map<string, Entry>();
  private serial = 0;

  constructor(private readonly options: StreamHubOptions = {}) {}

  /**
   * `tokens`: how this subscriber gets a fresh token when its stream needs one (a spec with
   * `auth.bearer`); the stream asks its subscribers in turn until one answers.
   */
  subscribe(spec: StreamSpec, listener: (message: HubMessage) => void, tokens?: TokenProvider): () => void {
    let key = this.find(spec);
    let entry = key === undefined ? undefined : this.entries.get(key);
    const created = !entry;
    if (!entry) {
      key = String(++this.serial);
      const subscribers = new Set<Subscriber>();
      const stream = new HubStream(
        {
          baseUrl: spec.baseUrl,
          channels: spec.channels,
          startUrl: spec.startUrl,
          auth: spec.auth,
          backoff: this.options.backoff,
          fetch: this.options.fetch ?? globalThis.fetch.bind(globalThis),
          token: () => firstToken([...subscribers].flatMap((s) => (s.tokens ? [s.tokens] : []))),
        },
        (message) => subscribers.forEach((s) => s.listener(message)),
      );
      entry = { stream, subscribers };
      this.entries.set(key, entry);
    }
    clearTimeout(entry.linger);
    const subscriber: Subscriber = { listener, tokens };
    entry.subscribers.add(subscriber);
    listener({ kind: 'state', state: entry.stream.state });
    const position = entry.stream.positionUrl;
    if (position !== undefined) listener({ kind: 'position', url: position });
    // Started once its first subscriber is in: its first sync asks that subscriber for a token.
    if (created) entry.stream.start();
    const owner = entry;
    const ownKey = key!;
    let active = true;
    return () => {
      if (!active) return;
      active = false;
      owner.subscribers.delete(subscriber);
      if (owner.subscribers.size > 0) return;
      owner.linger = setTimeout(() => {
        if (owner.subscribers.size > 0 || this.entries.get(ownKey) !== owner) return;
        this.entries.delete(ownKey);
        owner.stream.close();
      }, this.options.lingerMs ?? 250);
    };
  }

  /**
   * An open stream that serves `spec`: one of the same channels and authorization, standing
   * where the spec wants to start (a hand-over, a sync answered at the same head), or any
   * when it wants events from now on.
   */
  private find(spec: StreamSpec): string | undefined {
    const start = spec.startUrl === undefined ? undefined : urlPosition(spec.startUrl);
    for (const [key, entry] of this.entries) {
      if (entry.stream.finished || !entry.stream.serves(spec.baseUrl, spec.channels, spec.auth)) continue;
      if (start === undefined || (start !== null && entry.stream.position === start)) return key;
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
