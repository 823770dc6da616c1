import type { MessageEvent } from '@nestjs/common';
import type { Observable } from 'rxjs';
import type { HistoryPage, HistoryQuery } from '../broker/broker.interface.js';
import type {
  AnyOutgoingEvent,
  EventMap,
  OutgoingEvent,
  PublishedEvent,
  PublishOptions,
  StreamOptions,
} from '../interfaces/index.js';

/** What a channel needs from the hub (kept narrow so the two files do not import each other). */
export interface ChannelBackend {
  publish(channel: string, message: AnyOutgoingEvent, options?: PublishOptions): Promise<PublishedEvent>;
  history(channel: string, query: HistoryQuery): Promise<HistoryPage>;
  stream(channels: readonly string[], options?: StreamOptions): Observable<MessageEvent>;
}

/**
 * A named channel, Subject-like: `next()` publishes to every instance, `stream()` gives
 * each subscriber what it missed and then the live events.
 */
export class Channel<M extends EventMap = EventMap> {
  constructor(
    readonly name: string,
    private readonly backend: ChannelBackend,
  ) {}

  /** Publishes cluster-wide; resolves with the event's id once the broker stored it. */
  async next(message: OutgoingEvent<M>, options?: PublishOptions): Promise<string> {
    return (await this.backend.publish(this.name, message, options)).id;
  }

  /** As `next()`, with the whole answer (id, channel, whether it was a duplicate). */
  publish(message: OutgoingEvent<M>, options?: PublishOptions): Promise<PublishedEvent> {
    return this.backend.publish(this.name, message, options);
  }

  /**
   * For an `@Sse()` handler: replay after `lastEventId`, then live. Return it as it is: the
   * module's stream writer serves it (shared frame bytes, bounded buffers, heartbeats, drain).
   */
  stream(options: StreamOptions = {}): Observable<MessageEvent> {
    return this.backend.stream([this.name], options);
  }

  history(query: HistoryQuery): Promise<HistoryPage> {
    return this.backend.history(this.name, query);
  }
}
