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
}

interface StoredEvent extends BrokerEvent {
  readonly idempotencyKey?: string;
}

/** One channel's state: a ring buffer of its newest events and its local listeners. */
class MemoryChannel {
  readonly ring: (StoredEvent | undefined)[];
  /** Index in `ring` of the oldest kept event. */
  start = 0;
  size = 0;
  /** Position of the newest event ever stored (the epoch's start before any). */
  head: StreamPosition;
  /** Position of the newest event pushed out of the ring (undefined: none). */
  trimmed: StreamPosition | undefined;
  readonly idempotency = new Map<string, StreamPosition>();
  readonly listeners = new Set<BrokerListener>();

  constructor(capacity: number, epoch: string) {
    this.ring = new Array<StoredEvent | undefined>(capacity);
    this.head = StreamPosition.start(epoch);
  }

  at(i: number): StoredEvent {
    return this.ring[(this.start + i) % this.ring.length]!;
  }

  push(event: StoredEvent): void {
    const capacity = this.ring.length;
    if (this.size === capacity) {
      const evicted = this.ring[this.start]!;
      this.trimmed = evicted.position;
      if (evicted.idempotencyKey !== undefined) this.idempotency.delete(evicted.idempotencyKey);
      this.ring[this.start] = event;
      this.start = (this.start + 1) % capacity;
    } else {
      this.ring[(this.start + this.size) % capacity] = event;
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
 * millisecond), with one epoch per broker lifetime, so ids from before a restart are
 * recognised as unknown.
 */
export class MemoryBroker implements Broker {
  private readonly channels = new Map<string, MemoryChannel>();
  private readonly epoch = newEpoch();
  private closed = false;

  constructor(private readonly options: MemoryBrokerOptions) {
    if (!Number.isInteger(options.historyLimit) || options.historyLimit < 1) {
      throw new RangeError('historyLimit must be a positive integer');
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
    const position = time > last.ms ? StreamPosition.of(time, 0, this.epoch) : StreamPosition.of(last.ms, last.seq + 1, this.epoch);
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
    return { unsubscribe: async () => void state.listeners.delete(listener) };
  }

  async history(channel: string, query: HistoryQuery): Promise<HistoryPage> {
    this.assertOpen();
    const state = this.channels.get(channel);
    const head = state?.head ?? StreamPosition.start(this.epoch);
    const size = state?.size ?? 0;
    const limit = Math.max(0, query.limit);

    let from: number; // index into the ring of the first event to return
    const after = query.after;
    if (after === undefined) {
      from = Math.max(0, size - limit);
    } else {
      if (after.epoch !== this.epoch || after.compare(head) > 0) return { events: [], head, reset: 'unknown' };
      if (state?.trimmed && after.compare(state.trimmed) < 0) return { events: [], head, reset: 'trimmed' };
      from = state ? state.indexAfter(after) : 0;
    }
    const events: BrokerEvent[] = [];
    for (let i = from; i < size && events.length < limit; i++) {
      const { position, event, data, time } = state!.at(i);
      events.push({ position, event, data, time });
    }
    return { events, head };
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const state of this.channels.values()) state.listeners.clear();
  }

  private channelState(channel: string): MemoryChannel {
    let state = this.channels.get(channel);
    if (!state) {
      state = new MemoryChannel(this.options.historyLimit, this.epoch);
      this.channels.set(channel, state);
    }
    return state;
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
