/// <reference lib="dom" />
import type { HubMessage, StreamSpec, StreamTransport } from '../client.types.js';
import type { BackoffOptions } from '../hub/backoff.js';
import type { TabToWorker, WorkerToTab } from './worker-protocol.js';

export interface SharedWorkerTransportOptions {
  readonly workerUrl: string | URL;
  readonly backoff?: BackoffOptions;
  readonly lingerMs?: number;
}

/**
 * The tab's side of the stream hub in a SharedWorker: one worker per origin holds the streams
 * for every tab, so seven tabs cost one connection, not seven. The worker learns that a tab
 * has gone from a Web Lock the tab holds for its whole life (released by the browser when
 * the tab closes or crashes), and from a goodbye on `pagehide`.
 */
export class SharedWorkerTransport implements StreamTransport {
  private readonly port: MessagePort;
  private readonly listeners = new Map<number, (message: HubMessage) => void>();
  private next = 1;
  // A page kept in the back-forward cache may come back: it keeps its subscriptions.
  private readonly bye = (event?: PageTransitionEvent) => {
    if (!event?.persisted) this.post({ op: 'bye' });
  };

  constructor(options: SharedWorkerTransportOptions) {
    const worker = new SharedWorker(options.workerUrl, { type: 'module', name: 'sse-client' });
    this.port = worker.port;
    this.port.onmessage = (event: MessageEvent<WorkerToTab>) => this.listeners.get(event.data.sub)?.(event.data.message);
    this.port.start();
    const lock = `sse-client-tab-${Math.random().toString(36).slice(2)}-${Date.now().toString(36)}`;
    const locks = typeof navigator !== 'undefined' ? navigator.locks : undefined;
    const hello = (withLock: boolean) =>
      this.post({ op: 'hello', lock: withLock ? lock : undefined, backoff: options.backoff, lingerMs: options.lingerMs });
    if (locks) {
      // Held until this tab is gone; the worker then gets it and drops the tab's subscriptions.
      void locks.request(lock, () => {
        hello(true);
        return new Promise<never>(() => undefined);
      });
    } else {
      hello(false);
    }
    addEventListener('pagehide', this.bye);
  }

  subscribe(spec: StreamSpec, listener: (message: HubMessage) => void): () => void {
    const sub = this.next++;
    this.listeners.set(sub, listener);
    this.post({ op: 'subscribe', sub, spec });
    return () => {
      if (!this.listeners.delete(sub)) return;
      this.post({ op: 'unsubscribe', sub });
    };
  }

  close(): void {
    this.listeners.clear();
    removeEventListener('pagehide', this.bye);
    this.bye();
    this.port.close();
  }

  private post(message: TabToWorker): void {
    this.port.postMessage(message);
  }
}
