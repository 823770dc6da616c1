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
import { newEpoch, splitPosition } from './epoch.util.js';

export interface MemoryBrokerOptions {
  /** Events kept per channel (ring buffer). */
  historyLimit: number;
}

interface StoredEvent extends BrokerEvent {
  readonly seq: number;
  readonly idempotencyKey?: string;
}

/** One channel's state: a ring buffer of its newest events and its local listeners. */
class MemoryChannel {
  readonly ring: (StoredEvent | undefined)[];
  /** Index in `ring` of the oldest kept event. */
  start = 0;
  size = 0;
  lastSeq = 0;
  /** Seq of the newest event pushed out of the ring (0: none). */
  maxDeletedSeq = 0;
  readonly idempotency = new Map<string, string>();
  readonly listeners = new Set<BrokerListener>();

  constructor(capacity: number) {
    this.ring = new Array<StoredEvent | undefined>(capacity);
  }

  at(i: number): StoredEvent {
    return this.ring[(this.start + i) % this.ring.length]!;
  }

  push(event: StoredEvent): void {
    const capacity = this.ring.length;
    if (this.size === capacity) {
      const evicted = this.ring[this.start]!;
      this.maxDeletedSeq = evicted.seq;
      if (evicted.idempotencyKey !== undefined) this.idempotency.delete(evicted.idempotencyKey);
      this.ring[this.start] = event;
      this.start = (this.start + 1) % capacity;
    } else {
      this.ring[(this.start + this.size) % capacity] = event;
      this.size++;
    }
  }
}

/**
 * The embedded default: one process, history in a per-channel ring buffer. Positions are
 * `<seq>.<epoch>` with one epoch per broker lifetime, so ids from before a restart are
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
      if (earlier !== undefined) return { id: earlier, duplicate: true };
    }
    const seq = ++state.lastSeq;
    const event: StoredEvent = {
      id: this.position(seq),
      seq,
      event: request.event,
      data: request.data,
      time: Date.now(),
      idempotencyKey: key,
    };
    state.push(event);
    if (key !== undefined) state.idempotency.set(key, event.id);
    const view = publicView(event);
    for (const listener of state.listeners) deliver(listener, view);
    return { id: event.id, duplicate: false };
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
    const lastSeq = state?.lastSeq ?? 0;
    const head = lastSeq > 0 ? this.position(lastSeq) : null;
    const cursor = this.position(lastSeq);
    const origin = this.position(0);
    const size = state?.size ?? 0;
    const limit = Math.max(0, query.limit);

    let from: number; // index into the ring of the first event to return
    if (query.after === undefined) {
      from = Math.max(0, size - limit);
    } else {
      const seq = this.seqOf(query.after);
      if (seq === null || seq > lastSeq) return { events: [], head, cursor, origin, reset: 'unknown' };
      if (state && seq < state.maxDeletedSeq) return { events: [], head, cursor, origin, reset: 'trimmed' };
      const firstSeq = lastSeq - size + 1;
      from = Math.max(0, seq + 1 - firstSeq);
    }
    const events: BrokerEvent[] = [];
    for (let i = from; i < size && events.length < limit; i++) events.push(publicView(state!.at(i)));
    return { events, head, cursor, origin };
  }

  compare(a: string, b: string): number {
    return (this.seqOf(a) ?? -1) - (this.seqOf(b) ?? -1);
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const state of this.channels.values()) state.listeners.clear();
  }

  private channelState(channel: string): MemoryChannel {
    let state = this.channels.get(channel);
    if (!state) {
      state = new MemoryChannel(this.options.historyLimit);
      this.channels.set(channel, state);
    }
    return state;
  }

  private position(seq: number): string {
    return `${seq}.${this.epoch}`;
  }

  /** The seq of one of our positions, or null for anything else (another epoch included). */
  private seqOf(position: string): number | null {
    const parts = splitPosition(position);
    if (!parts || parts.epoch !== this.epoch || !/^\d{1,15}$/.test(parts.offset)) return null;
    return Number(parts.offset);
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('MemoryBroker is closed');
  }
}

function publicView(event: StoredEvent): BrokerEvent {
  return { id: event.id, event: event.event, data: event.data, time: event.time };
}

/** A listener that throws must not stop delivery to the others, nor fail the publish. */
function deliver(listener: BrokerListener, event: BrokerEvent): void {
  try {
    listener.onEvent(event);
  } catch {
    // The channel layer's listeners do not throw; a foreign one is isolated here.
  }
}
