import type { Broker, BrokerListener, BrokerSubscription, HistoryPage, HistoryQuery, PublishRequest, PublishResult } from '../../broker/broker.interface.js';
import { MemoryBroker } from '../../broker/memory.broker.js';

/**
 * A MemoryBroker whose live delivery can be cut, to play a broker connection that drops
 * and comes back (events stored meanwhile never arrive live), and that counts calls.
 */
export class FlakyBroker implements Broker {
  readonly inner: MemoryBroker;
  subscribeCalls = 0;
  historyCalls = 0;
  private cut = false;
  private readonly listeners = new Set<BrokerListener>();

  constructor(historyLimit = 100) {
    this.inner = new MemoryBroker({ historyLimit });
  }

  /** Live events stop arriving (they are still stored). */
  disconnect(): void {
    this.cut = true;
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
    const inner = await this.inner.subscribe(channel, {
      onEvent: (event) => {
        if (!this.cut) listener.onEvent(event);
      },
    });
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

  compare(a: string, b: string): number {
    return this.inner.compare(a, b);
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}
