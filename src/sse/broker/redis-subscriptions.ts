import { redisBadLiveMessage, redisResyncFailed } from '../sse.messages.js';
import type { BrokerListener, BrokerSubscription } from './broker.interface.js';
import { guard, noop, reasonOf, type RedisBrokerLogger } from './redis-call.util.js';
import { decodeLiveMessage } from './redis-scripts.js';
import type { RedisSubscriber } from './redis-subscriber.js';

interface Registration {
  readonly listener: BrokerListener;
  /**
   * Subscriber session this listener is known to be complete on (it subscribed on it or was
   * told to resync); `undefined` while its subscribe runs.
   */
  seenOn: object | undefined;
}

/** One channel's local listeners and its Redis subscription (one SUBSCRIBE, counted). */
interface ChannelEntry {
  readonly channel: string;
  readonly live: string;
  readonly registrations: Set<Registration>;
  /** The subscriber, and its session, on which Redis acknowledged the subscription. */
  link: RedisSubscriber | undefined;
  session: object | undefined;
  /** Subscribe/unsubscribe steps of this channel run one after the other. */
  tail: Promise<unknown>;
  pending: number;
}

export interface RedisSubscriptionsOptions {
  /** The subscriber a channel's live messages come through now; throws `BrokerUnavailableError` if none. */
  readonly route: (live: string) => RedisSubscriber;
  readonly logger: RedisBrokerLogger;
  readonly isClosing: () => boolean;
}

/**
 * The subscription bookkeeping of the Redis broker: per channel one Redis subscription
 * however many local listeners it has, and after any loss (a subscriber connection
 * dropped, or the channel's slot moved to another shard) a re-subscribe followed by
 * `onResync()` to every listener, always before any newer event reaches it.
 */
export class RedisSubscriptions {
  private readonly entries = new Map<string, ChannelEntry>();

  constructor(private readonly options: RedisSubscriptionsOptions) {}

  /** Resolves once the channel's subscription is acknowledged on the subscriber that owns it. */
  subscribe(channel: string, live: string, listener: BrokerListener): Promise<BrokerSubscription> {
    let entry = this.entries.get(live);
    if (!entry) {
      entry = { channel, live, registrations: new Set(), link: undefined, session: undefined, tail: Promise.resolve(), pending: 0 };
      this.entries.set(live, entry);
    }
    const target = entry;
    return this.serialize(target, async () => {
      // Registered before SUBSCRIBE is sent: a message right behind the acknowledgement
      // (same read, dispatched before this step resumes) reaches the listener too.
      const registration: Registration = { listener, seenOn: undefined };
      target.registrations.add(registration);
      try {
        const link = this.options.route(live);
        if (!this.isCurrent(target, link)) await this.redisSubscribe(target, link);
      } catch (error) {
        target.registrations.delete(registration);
        throw error;
      }
      registration.seenOn = target.session;
      let released = false;
      return {
        unsubscribe: async () => {
          if (released) return;
          released = true;
          await this.release(target, registration);
        },
      };
    });
  }

  /** A live message from `link`: to every listener of its channel, each told to resync first if behind. */
  dispatch(link: RedisSubscriber, live: string, message: string): void {
    const entry = this.entries.get(live);
    if (!entry || entry.registrations.size === 0) return;
    const event = decodeLiveMessage(message);
    if (!event) return this.options.logger.warn(redisBadLiveMessage(entry.channel));
    // A copy: a listener may unsubscribe (or another subscribe) while we iterate.
    for (const registration of [...entry.registrations]) {
      this.resyncIfBehind(registration, link.session);
      guard(() => registration.listener.onEvent(event));
    }
  }

  /**
   * Re-subscribes every channel whose subscription is lost or now belongs to another
   * subscriber, then tells its listeners to resync. Called when a subscriber is ready again
   * and when the cluster topology changed; cheap when nothing did.
   */
  reconcile(): void {
    for (const entry of this.entries.values()) {
      if (entry.registrations.size === 0 || !this.needsWork(entry)) continue;
      let link: RedisSubscriber | undefined;
      let session: object | undefined;
      this.serialize(entry, async () => {
        if (this.options.isClosing() || entry.registrations.size === 0) return;
        link = this.options.route(entry.live);
        session = link.session;
        if (!link.ready) return; // its 'ready' reconciles again
        if (!this.isCurrent(entry, link)) await this.redisSubscribe(entry, link);
        if (entry.session === link.session) for (const registration of [...entry.registrations]) this.resyncIfBehind(registration, entry.session);
        link.repaired();
      }).catch((error: unknown) => {
        // A newer session of that subscriber (or the next topology refresh) tries again.
        if (this.options.isClosing() || !link || link.session !== session) return;
        this.options.logger.warn(redisResyncFailed(reasonOf(error)));
        link.scheduleRepair();
      });
    }
  }

  /** How many channels hold a live subscription on `link` (tests, metrics). */
  countOn(link: RedisSubscriber): number {
    let count = 0;
    for (const entry of this.entries.values()) if (entry.link === link && entry.session === link.session) count++;
    return count;
  }

  /** Channels with local listeners now (the keep-alive restarts their TTL). */
  *channels(): IterableIterator<string> {
    for (const entry of this.entries.values()) if (entry.registrations.size > 0) yield entry.channel;
  }

  clear(): void {
    for (const entry of this.entries.values()) entry.registrations.clear();
    this.entries.clear();
  }

  private needsWork(entry: ChannelEntry): boolean {
    let link: RedisSubscriber;
    try {
      link = this.options.route(entry.live);
    } catch {
      return false; // owner unknown right now: the next topology refresh tries again
    }
    if (!link.ready) return false; // lost: its 'ready' reconciles again
    if (!this.isCurrent(entry, link)) return true;
    for (const registration of entry.registrations) {
      if (registration.seenOn !== undefined && registration.seenOn !== entry.session) return true;
    }
    return false;
  }

  private isCurrent(entry: ChannelEntry, link: RedisSubscriber): boolean {
    return entry.link === link && entry.session === link.session;
  }

  private async redisSubscribe(entry: ChannelEntry, link: RedisSubscriber): Promise<void> {
    const previous = entry.link;
    // Moved to another shard: drop the old subscription if Redis has not done so already.
    if (previous && previous !== link && entry.session === previous.session) previous.unsubscribe(entry.live).catch(noop);
    entry.link = entry.session = undefined;
    const session = link.session;
    await link.subscribe(entry.live);
    entry.link = link;
    entry.session = session;
  }

  /** Detaches at once; the UNSUBSCRIBE (if it was the last listener) never fails the caller. */
  private release(entry: ChannelEntry, registration: Registration): Promise<void> {
    entry.registrations.delete(registration);
    return this.serialize(entry, async () => {
      const link = entry.link;
      if (entry.registrations.size > 0 || this.options.isClosing() || !link || entry.session !== link.session) return;
      // Whatever the answer, a later subscribe re-subscribes (SUBSCRIBE is idempotent).
      entry.link = entry.session = undefined;
      await link.unsubscribe(entry.live).catch(noop);
    });
  }

  /**
   * Tells a listener subscribed before the last loss to fill the gap. Also called from
   * dispatch: messages right behind the re-SUBSCRIBE acknowledgement are dispatched before
   * the resync step resumes, and the listener must hear of the gap before it sees (and
   * moves its position to) any of them.
   */
  private resyncIfBehind(registration: Registration, session: object | undefined): void {
    if (registration.seenOn === undefined || session === undefined || registration.seenOn === session) return;
    registration.seenOn = session;
    guard(() => registration.listener.onResync?.());
  }

  private serialize<T>(entry: ChannelEntry, step: () => Promise<T>): Promise<T> {
    entry.pending++;
    const result = entry.tail.then(step);
    entry.tail = result.catch(noop).finally(() => {
      if (--entry.pending === 0 && entry.registrations.size === 0 && this.entries.get(entry.live) === entry) {
        this.entries.delete(entry.live);
      }
    });
    return result;
  }
}
