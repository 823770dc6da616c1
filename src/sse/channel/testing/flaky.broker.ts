import type { Broker, BrokerListener, BrokerSubscription, HistoryPage, HistoryQuery, PublishRequest, PublishResult } from '../../broker/broker.interface.js';
import { MemoryBroker } from '../../broker/memory.broker.js';

/**
 * A MemoryBroker whose live delivery can be cut, to play a broker connection that drops
 * and comes back (events stored meanwhile never arrive live), and that counts calls.
 */
export class FlakyBroker implements Broker {
  inner: MemoryBroker;
  subscribeCalls = 0;
  historyCalls = 0;
  private cut = false;
  private readonly listeners = new Set<BrokerListener>();

  private readonly subscribed: [string, BrokerListener][] = [];

  constructor(private readonly historyLimit = 100) {
    this.inner = new MemoryBroker({ historyLimit });
  }

  /** Live events stop arriving (they are still stored). */
  disconnect(): void {
    this.cut = true;
  }

  /** Loses every stored event and starts a new epoch, as a Redis restart without persistence does. */
  recreate(): void {
    const listeners = this.inner;
    this.inner = new MemoryBroker({ historyLimit: this.historyLimit });
    void listeners.close();
    for (const [channel, listener] of this.subscribed) void this.inner.subscribe(channel, listener);
  }

  /** Live events arrive again, and every listener is told it may have missed some. */
  reconnect(): void {
    this.cut = false;
    for (const listener of this.listeners) listener.onResync?.();
  }

  publish(channel: string, request: PublishRequest): Promise<PublishResult> {
    return this.inner.publish(channel, request);
  }

  async subscribe(channel: string, listener: BrokerListener): Promise<BrokerSubscription> {
    this.subscribeCalls++;
    this.listeners.add(listener);
    const relay: BrokerListener = {
      onEvent: (event) => {
        if (!this.cut) listener.onEvent(event);
      },
    };
    this.subscribed.push([channel, relay]);
    const inner = await this.inner.subscribe(channel, relay);
    return {
      unsubscribe: async () => {
        this.listeners.delete(listener);
        await inner.unsubscribe();
      },
    };
  }

  history(channel: string, query: HistoryQuery): Promise<HistoryPage> {
    this.historyCalls++;
    return this.inner.history(channel, query);
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}
