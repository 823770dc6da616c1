/// <reference lib="dom" />
import type { GetToken, HubMessage, StreamSpec, StreamTransport } from '../client.types.js';
import type { BackoffOptions } from '../hub/backoff.util.js';
import { answerToken } from './token-requests.js';
import { TrackedSubscriptions } from './tracked-subscriptions.js';
import type { TabToWorker, WorkerToTab } from './worker-protocol.js';

export interface SharedWorkerTransportOptions {
  readonly workerUrl: string | URL;
  readonly backoff?: BackoffOptions;
  readonly lingerMs?: number;
  /** This page's token source: the worker asks for a token by message and the tab answers with this. */
  readonly getToken?: GetToken;
  /** Where the subscriptions go if the worker cannot run (its script failed to load). */
  readonly fallback: () => StreamTransport;
}

/**
 * The tab's side of the stream hub in a SharedWorker: one worker per origin holds the streams
 * for every tab, so seven tabs cost one connection, not seven. The worker learns that a tab
 * has gone from a Web Lock the tab holds for its whole life (released by the browser when
 * the tab closes or crashes), and from a goodbye on `pagehide`. Should the worker fail, the
 * subscriptions move to the fallback, each from the position it reached. A stream that
 * needs a token (`POST /sync` with `getToken`) makes the worker ask a tab that subscribed
 * to it; the tab answers with what its `getToken` gives (see `TokenRequests` for why).
 */
export class SharedWorkerTransport implements StreamTransport {
  private readonly port: MessagePort;
  private readonly subs = new TrackedSubscriptions();
  private readonly moved = new Map<number, () => void>();
  private fallback: StreamTransport | undefined;
  private readonly release = new AbortController();
  // A page kept in the back-forward cache may come back: it keeps its subscriptions.
  private readonly bye = (event?: PageTransitionEvent) => {
    if (!event?.persisted) this.post({ op: 'bye' });
  };

  constructor(private readonly options: SharedWorkerTransportOptions) {
    const worker = new SharedWorker(options.workerUrl, { type: 'module', name: 'sse-client' });
    worker.addEventListener('error', () => this.failOver());
    this.port = worker.port;
    this.port.onmessage = (event: MessageEvent<WorkerToTab>) => {
      const data = event.data;
      if (data.op === 'message') return this.subs.deliver(data.sub, data.message);
      void answerToken(options.getToken).then((answer) => this.post({ op: 'token', req: data.req, answer }));
    };
    this.port.start();
    const lock = `sse-client:tab:${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
    const locks = typeof navigator !== 'undefined' ? navigator.locks : undefined;
    const hello = (withLock: boolean) =>
      this.post({ op: 'hello', lock: withLock ? lock : undefined, backoff: options.backoff, lingerMs: options.lingerMs });
    if (locks) {
      // Held until this tab is gone; the worker then gets it and drops the tab's subscriptions.
      void locks
        .request(lock, { signal: this.release.signal }, () => {
          hello(true);
          return new Promise<never>(() => undefined);
        })
        .catch(() => undefined);
    } else {
      hello(false);
    }
    addEventListener('pagehide', this.bye);
  }

  subscribe(spec: StreamSpec, listener: (message: HubMessage) => void): () => void {
    const sub = this.subs.add(spec, listener);
    if (this.fallback) this.moved.set(sub, this.fallback.subscribe(spec, (m) => this.subs.deliver(sub, m)));
    else this.post({ op: 'subscribe', sub, spec });
    return () => {
      if (!this.subs.remove(sub)) return;
      if (this.fallback) {
        this.moved.get(sub)?.();
        this.moved.delete(sub);
      } else {
        this.post({ op: 'unsubscribe', sub });
      }
    };
  }

  close(): void {
    removeEventListener('pagehide', this.bye);
    this.bye();
    this.subs.clear();
    this.release.abort();
    this.port.close();
    this.fallback?.close();
  }

  private failOver(): void {
    if (this.fallback) return;
    this.fallback = this.options.fallback();
    for (const sub of this.subs.resumable()) {
      this.moved.set(sub, this.fallback.subscribe(this.subs.resumeSpec(sub), (m) => this.subs.deliver(sub, m)));
    }
  }

  private post(message: TabToWorker): void {
    this.port.postMessage(message);
  }
}
