import { StreamPosition } from '../position/stream-position.js';
import type {
  Broker,
  BrokerEvent,
  BrokerListener,
  BrokerSubscription,
  HistoryPage,
  HistoryQuery,
  PublishRequest,
  PublishResult,
} from './broker.interface.js';
import { newEpoch } from './epoch.util.js';

export interface MemoryBrokerOptions {
  /** Events kept per channel (ring buffer). */
  historyLimit: number;
  /**
   * A channel with no listener and no publish or history read for this many ms is dropped
   * (ring, idempotency keys, epoch); positions of it then read as unknown. Default 0: never.
   * Checked by a sweep every third of it (at most every minute), so a channel goes between
   * `channelTtlMs` and `channelTtlMs` plus one sweep after its last use.
   */
  channelTtlMs?: number;
}

/** The sweep runs at most this far apart, however long the TTL: a late drop holds memory. */
const MAX_SWEEP_INTERVAL_MS = 60_000;

interface StoredEvent extends BrokerEvent {
  readonly idempotencyKey?: string;
}

/** One channel's state: a ring buffer of its newest events and its local listeners. */
class MemoryChannel {
  /**
   * Grows with the events up to `capacity` (a channel with few events holds a short array,
   * not one of the history limit), then wraps: until it is full nothing is evicted, so
   * `start` stays 0 and the events are in order from index 0.
   */
  private readonly ring: StoredEvent[] = [];
  /** Index in `ring` of the oldest kept event. */
  start = 0;
  size = 0;
  /** Position of the newest event ever stored (the epoch's start before any). */
  head: StreamPosition;
  /** Position of the newest event pushed out of the ring (undefined: none). */
  trimmed: StreamPosition | undefined;
  readonly idempotency = new Map<string, StreamPosition>();
  readonly listeners = new Set<BrokerListener>();

  constructor(
    private readonly capacity: number,
    /** This state's lifetime tag: a channel dropped and made again gets a new one. */
    readonly epoch: string,
    /** When it was last published to, read or (un)subscribed, ms since the Unix epoch. */
    public usedAt: number,
  ) {
    this.head = StreamPosition.start(epoch);
  }

  at(i: number): StoredEvent {
    return this.ring[(this.start + i) % this.ring.length]!;
  }

  push(event: StoredEvent): void {
    const capacity = this.capacity;
    if (this.size === capacity) {
      const evicted = this.ring[this.start]!;
      this.trimmed = evicted.position;
      if (evicted.idempotencyKey !== undefined) this.idempotency.delete(evicted.idempotencyKey);
      this.ring[this.start] = event;
      this.start = (this.start + 1) % capacity;
    } else {
      this.ring.push(event);
      this.size++;
    }
    this.head = event.position;
  }

  /** Index in the ring of the first event after `after` (a position of this epoch). */
  indexAfter(after: StreamPosition): number {
    // Binary search: the ring is sorted by position.
    let low = 0;
    let high = this.size;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (this.at(mid).position.compare(after) <= 0) low = mid + 1;
      else high = mid;
    }
    return low;
  }
}

/**
 * The embedded default: one process, history in a per-channel ring buffer. Entry ids are
 * made the way Redis makes them (`<ms>-<seq>`, the sequence counting events within one
 * millisecond). Each channel state has its own epoch, made of the broker's random one and
 * a counter: ids from before a restart, and ids of a channel dropped by `channelTtlMs` and
 * made again, are recognised as unknown, never as positions of the new stream (whose ids,
 * being times, could otherwise pass for later or earlier ones of the old).
 */
export class MemoryBroker implements Broker {
  private readonly channels = new Map<string, MemoryChannel>();
  private readonly epoch = newEpoch();
  /** Channel states made so far: the next one's epoch is `epoch` + this count in base 36. */
  private made = 0;
  private readonly ttlMs: number;
  private readonly sweeper: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(private readonly options: MemoryBrokerOptions) {
    if (!Number.isInteger(options.historyLimit) || options.historyLimit < 1) {
      throw new RangeError('historyLimit must be a positive integer');
    }
    const ttl = options.channelTtlMs ?? 0;
    if (!Number.isInteger(ttl) || ttl < 0) throw new RangeError('channelTtlMs must be 0 (never) or a positive integer');
    this.ttlMs = ttl;
    if (ttl > 0) {
      // Unref'd: the sweep alone never keeps the process alive.
      this.sweeper = setInterval(() => this.sweep(), Math.max(1, Math.min(Math.floor(ttl / 3), MAX_SWEEP_INTERVAL_MS)));
      this.sweeper.unref();
    }
  }

  async publish(channel: string, request: PublishRequest): Promise<PublishResult> {
    this.assertOpen();
    const state = this.channelState(channel);
    const key = request.idempotencyKey;
    if (key !== undefined) {
      const earlier = state.idempotency.get(key);
      if (earlier !== undefined) return { position: earlier, duplicate: true };
    }
    const time = Date.now();
    const last = state.head;
    const position = time > last.ms ? StreamPosition.of(time, 0, state.epoch) : StreamPosition.of(last.ms, last.seq + 1, state.epoch);
    const event: StoredEvent = { position, event: request.event, data: request.data, time, idempotencyKey: key };
    state.push(event);
    if (key !== undefined) state.idempotency.set(key, position);
    const view: BrokerEvent = { position, event: request.event, data: request.data, time };
    for (const listener of state.listeners) deliver(listener, view);
    return { position, duplicate: false };
  }

  async subscribe(channel: string, listener: BrokerListener): Promise<BrokerSubscription> {
    this.assertOpen();
    const state = this.channelState(channel);
    state.listeners.add(listener);
    return {
      unsubscribe: async () => {
        // The TTL counts from the last listener's leaving, as from a publish.
        if (state.listeners.delete(listener)) state.usedAt = Date.now();
      },
    };
  }

  async history(channel: string, query: HistoryQuery): Promise<HistoryPage> {
    this.assertOpen();
    // Made on a read too, as the Redis broker's history script makes the epoch: the head of
    // an empty channel names the epoch its first events will have, so resuming from it
    // replays them instead of a reset.
    const state = this.channelState(channel);
    const head = state.head;
    const size = state.size;
    const limit = Math.max(0, query.limit);

    let from: number; // index into the ring of the first event to return
    const after = query.after;
    if (after === undefined) {
      from = Math.max(0, size - limit);
    } else {
      if (after.epoch !== state.epoch || after.compare(head) > 0) return { events: [], head, reset: 'unknown' };
      if (state.trimmed && after.compare(state.trimmed) < 0) return { events: [], head, reset: 'trimmed' };
      from = state.indexAfter(after);
    }
    const events: BrokerEvent[] = [];
    for (let i = from; i < size && events.length < limit; i++) {
      const { position, event, data, time } = state.at(i);
      events.push({ position, event, data, time });
    }
    return { events, head };
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.sweeper);
    for (const state of this.channels.values()) state.listeners.clear();
  }

  /** Channels held now (tests: a dropped channel is gone). */
  get channelCount(): number {
    return this.channels.size;
  }

  /** The channel's state, made if it has none (new epoch), marked as used now. */
  private channelState(channel: string): MemoryChannel {
    const now = Date.now();
    let state = this.channels.get(channel);
    if (!state) {
      state = new MemoryChannel(this.options.historyLimit, this.epoch + (this.made++).toString(36), now);
      this.channels.set(channel, state);
    } else {
      state.usedAt = now;
    }
    return state;
  }

  /**
   * Drops every channel with no listener that was not used for the TTL: one pass over the
   * channels, whatever they hold (dropping a state frees its ring and keys at once).
   */
  private sweep(): void {
    const before = Date.now() - this.ttlMs;
    for (const [channel, state] of this.channels) {
      if (state.listeners.size === 0 && state.usedAt < before) this.channels.delete(channel);
    }
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('MemoryBroker is closed');
  }
}

/** A listener that throws must not stop delivery to the others, nor fail the publish. */
function deliver(listener: BrokerListener, event: BrokerEvent): void {
  try {
    listener.onEvent(event);
  } catch {
    // The channel layer's listeners do not throw; a foreign one is isolated here.
  }
}
