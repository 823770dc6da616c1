/// <reference lib="dom" />
import type { GetToken, HubMessage, StreamSpec, StreamTransport } from '../client.types.js';
import { StreamHub, type StreamHubOptions } from '../hub/stream-hub.js';
import type { TokenProvider } from '../hub/token-providers.util.js';
import { answerToken, TokenRequests, type TokenAnswer } from './token-requests.js';
import { TrackedSubscriptions } from './tracked-subscriptions.js';

type Wire =
  | { readonly op: 'subscribe'; readonly tab: string; readonly sub: number; readonly spec: StreamSpec }
  | { readonly op: 'unsubscribe'; readonly tab: string; readonly sub: number }
  | { readonly op: 'bye'; readonly tab: string }
  /** A new leader: every tab sends its subscriptions again, each from where it stands. */
  | { readonly op: 'leader'; readonly tab: string }
  | { readonly op: 'message'; readonly tab: string; readonly sub: number; readonly message: HubMessage }
  /** The leader asks tab `tab` for a fresh token (one of its streams is about to sync). */
  | { readonly op: 'token-request'; readonly tab: string; readonly req: number; readonly leader: string }
  /** Tab's answer, addressed to the leader `tab`. */
  | { readonly op: 'token'; readonly tab: string; readonly req: number; readonly answer: TokenAnswer };

export interface LeaderTabTransportOptions extends StreamHubOptions {
  /** This page's token source: for its own streams when it leads, and answering the leader's requests when not. */
  readonly getToken?: GetToken;
}


/**
 * Sharing without a SharedWorker: the tabs of an origin elect one leader with a Web Lock;
 * the leader holds the streams and relays them to the others over a BroadcastChannel. When
 * the leader closes, the browser hands its lock to another tab, which asks every tab to
 * subscribe again from the position it reached: a tab whose position matches an open
 * stream joins it, others get one from their own position, so nothing is lost or repeated.
 * The leader needs a token for another tab's stream at each `POST /sync`: functions cannot
 * travel over a BroadcastChannel, so it asks that tab by message and the tab answers with
 * what its `getToken` gives (see `TokenRequests`).
 */
export class LeaderTabTransport implements StreamTransport {
  private readonly tab = `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
  private readonly channel: BroadcastChannel;
  private readonly subs = new TrackedSubscriptions();
  private hub: StreamHub | undefined;
  /** Leader only: this tab's own subscriptions in the hub. */
  private readonly own = new Map<number, () => void>();
  /** Leader only: the other tabs' subscriptions, and which tabs it watches. */
  private readonly remote = new Map<string, Map<number, () => void>>();
  /** Leader only: token requests sent to other tabs, waiting for their answers. */
  private readonly tokens = new TokenRequests();
  /** One token provider per tab (this one's own included): a stream asks each tab once per sync. */
  private readonly providers = new Map<string, TokenProvider>();
  private readonly release: AbortController = new AbortController();
  private readonly alive: Promise<void>;
  private closed = false;
  private letGo!: () => void;
  /** What the lock callbacks wait on: settled by `close()`, else held until the tab goes. */
  private readonly held = new Promise<void>((resolve) => (this.letGo = resolve));
  private readonly bye = (event?: PageTransitionEvent) => {
    if (!event?.persisted) this.post({ op: 'bye', tab: this.tab });
  };

  constructor(
    private readonly hubOptions: LeaderTabTransportOptions = {},
    private readonly name = 'sse-client',
  ) {
    this.channel = new BroadcastChannel(name);
    this.channel.onmessage = (event: MessageEvent<Wire>) => {
      if (!this.release.signal.aborted) this.receive(event.data);
    };
    const signal = this.release.signal;
    // Held for this tab's life: the leader learns of its end when it gets the lock. Nothing
    // is posted before it is held, or a leader could take it first and think this tab gone.
    this.alive = new Promise<void>((resolve) => {
      void navigator.locks
        .request(this.lockOf(this.tab), { signal }, () => {
          resolve();
          return this.held;
        })
        .catch(() => undefined);
    });
    void navigator.locks.request(`${name}:leader`, { signal }, () => this.lead()).catch(() => undefined);
    addEventListener('pagehide', this.bye);
  }

  /** True while this tab holds the streams for all. */
  get leading(): boolean {
    return this.hub !== undefined;
  }

  subscribe(spec: StreamSpec, listener: (message: HubMessage) => void): () => void {
    const sub = this.subs.add(spec, listener);
    if (this.hub) this.own.set(sub, this.hub.subscribe(spec, (m) => this.subs.deliver(sub, m), this.ownTokens(spec)));
    else this.post({ op: 'subscribe', tab: this.tab, sub, spec });
    return () => {
      if (!this.subs.remove(sub)) return;
      if (this.hub) {
        this.own.get(sub)?.();
        this.own.delete(sub);
      } else {
        this.post({ op: 'unsubscribe', tab: this.tab, sub });
      }
    };
  }

  close(): void {
    if (this.closed) return;
    removeEventListener('pagehide', this.bye);
    this.subs.clear();
    this.hub?.close();
    this.hub = undefined;
    this.tokens.abandon();
    this.release.abort();
    void this.alive.then(() => {
      this.channel.postMessage({ op: 'bye', tab: this.tab } satisfies Wire);
      this.closed = true;
      this.channel.close();
      this.letGo(); // another tab may lead now
    });
  }

  /** Runs while this tab holds the leader lock, i.e. until it closes. */
  private lead(): Promise<void> {
    this.hub = new StreamHub(this.hubOptions);
    for (const sub of this.subs.resumable()) {
      const spec = this.subs.resumeSpec(sub);
      this.own.set(sub, this.hub.subscribe(spec, (m) => this.subs.deliver(sub, m), this.ownTokens(spec)));
    }
    this.post({ op: 'leader', tab: this.tab });
    return this.held;
  }

  private receive(wire: Wire): void {
    switch (wire.op) {
      case 'message':
        if (wire.tab === this.tab) this.subs.deliver(wire.sub, wire.message);
        return;
      case 'leader':
        for (const sub of this.subs.resumable()) this.post({ op: 'subscribe', tab: this.tab, sub, spec: this.subs.resumeSpec(sub) });
        return;
      case 'token-request':
        if (wire.tab === this.tab) {
          void answerToken(this.hubOptions.getToken).then((answer) => this.post({ op: 'token', tab: wire.leader, req: wire.req, answer }));
        }
        return;
      case 'token':
        if (wire.tab === this.tab) this.tokens.settle(wire.req, wire.answer);
        return;
    }
    const hub = this.hub;
    if (!hub) return;
    if (wire.op === 'subscribe') {
      const subs = this.watch(wire.tab);
      subs.get(wire.sub)?.();
      const from = wire.tab;
      subs.set(
        wire.sub,
        hub.subscribe(wire.spec, (message) => this.post({ op: 'message', tab: from, sub: wire.sub, message }), this.tokensOf(from, wire.spec)),
      );
    } else if (wire.op === 'unsubscribe') {
      this.remote.get(wire.tab)?.get(wire.sub)?.();
      this.remote.get(wire.tab)?.delete(wire.sub);
    } else {
      this.drop(wire.tab);
    }
  }

  /** The subscriptions of another tab; the first time, waits on its life lock to drop them when it goes. */
  private watch(tab: string): Map<number, () => void> {
    let subs = this.remote.get(tab);
    if (!subs) {
      subs = new Map();
      this.remote.set(tab, subs);
      void navigator.locks.request(this.lockOf(tab), { signal: this.release.signal }, () => this.drop(tab)).catch(() => undefined);
    }
    return subs;
  }

  private drop(tab: string): void {
    this.tokens.abandon(tab);
    this.providers.delete(tab);
    const subs = this.remote.get(tab);
    if (!subs) return;
    this.remote.delete(tab);
    for (const unsubscribe of subs.values()) unsubscribe();
  }

  /** This tab's own streams, when it leads: its `getToken` is right here. */
  private ownTokens(spec: StreamSpec): TokenProvider | undefined {
    const getToken = this.hubOptions.getToken;
    if (!getToken || !spec.auth?.bearer) return undefined;
    return this.provider(this.tab, async () => getToken());
  }

  /** Another tab's streams: a token is a message round trip to that tab. */
  private tokensOf(tab: string, spec: StreamSpec): TokenProvider | undefined {
    if (!spec.auth?.bearer) return undefined;
    return this.provider(tab, () => this.tokens.ask((req) => this.post({ op: 'token-request', tab, req, leader: this.tab }), tab));
  }

  private provider(tab: string, make: TokenProvider): TokenProvider {
    let provider = this.providers.get(tab);
    if (!provider) this.providers.set(tab, (provider = make));
    return provider;
  }

  private lockOf(tab: string): string {
    return `${this.name}:tab:${tab}`;
  }

  private post(wire: Wire): void {
    // Chained on one promise: messages keep their order.
    void this.alive.then(() => {
      if (!this.closed) this.channel.postMessage(wire);
    });
  }
}
