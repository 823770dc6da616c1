import { Inject, Injectable, Logger } from '@nestjs/common';
import type { Observable } from 'rxjs';
import { Broker, type HistoryPage, type HistoryQuery } from '../broker/broker.interface.js';
import { InvalidInputError, PayloadTooLargeError } from '../errors/index.js';
import type {
  AnyOutgoingEvent,
  EventMap,
  PublishedEvent,
  PublishOptions,
  ResolvedSseOptions,
  StreamOptions,
} from '../interfaces/index.js';
import { dataRequired, eventTooLarge, tooManyChannels, unserializableData } from '../sse.messages.js';
import { SSE_OPTIONS } from '../sse.tokens.js';
import { assertChannelName, assertPublishableEventType, channelMatcher } from '../utils/index.js';
import { Channel } from './channel.js';
import type { StreamItem } from './channel-event.js';
import { ChannelReader } from './channel-reader.js';
import { DeliveryStats } from './delivery-stats.js';
import { FanoutRegistry } from './fanout-registry.js';
import { toMessageEvents, type SseMessageEvent } from './message-events.js';
import { MultiChannelReader, type MultiStreamItem } from './multi-channel-reader.js';

/** A stream being opened: `start()` replays and goes live; `close()` ends it. */
export interface StreamHandle {
  start(): Promise<void>;
  close(): void;
}

export type StreamSink =
  | { readonly mode: 'single'; push(item: StreamItem): void }
  | { readonly mode: 'multi'; push(item: MultiStreamItem): void };

const PAGE_SIZE = 500;

/**
 * What happens to a client that falls behind: `all` (the default) keeps every event and
 * cuts the client off past its buffer, to resume from its last id; `latest` (state
 * channels) skips to the newest event instead.
 */
export type ChannelPolicy = 'all' | 'latest';

/**
 * The channels of this application: publishing, history and streams for any channel by
 * name, including those only known at run time. Channels injected with `@InjectChannel()`
 * come from here too.
 */
@Injectable()
export class SseHub {
  private readonly logger = new Logger('SseHub');
  private readonly fanouts: FanoutRegistry;
  private readonly declaredLatest = new Set<string>();
  private readonly configuredLatest: (channel: string) => boolean;
  /** Live deliveries of this instance's fan-outs (the cluster view's rate and lag). */
  readonly deliveries = new DeliveryStats();

  constructor(
    @Inject(Broker) private readonly broker: Broker,
    @Inject(SSE_OPTIONS) private readonly options: ResolvedSseOptions,
  ) {
    this.configuredLatest = channelMatcher(options.latestChannels);
    this.fanouts = new FanoutRegistry(broker, {
      pageSize: PAGE_SIZE,
      maxPending: Math.max(options.historyLimit, PAGE_SIZE),
      onError: (message, error) => this.logger.warn(`${message}: ${describe(error)}`),
      onDeliver: (listeners, storedAt) => this.deliveries.record(listeners, storedAt),
    });
  }

  /** A channel by name; throws `InvalidInputError` for a name outside the allowed pattern. */
  channel<M extends EventMap = EventMap>(name: string): Channel<M> {
    assertChannelName(name);
    return new Channel<M>(name, this);
  }

  /** Stores the event (every instance sees it) and answers its id. */
  async publish(
    channel: string,
    message: AnyOutgoingEvent,
    options: PublishOptions = {},
  ): Promise<PublishedEvent> {
    assertChannelName(channel);
    if (message.event !== undefined) assertPublishableEventType(message.event);
    const data = this.serialize(message.data);
    const result = await this.broker.publish(channel, {
      event: message.event,
      data,
      idempotencyKey: options.idempotencyKey,
    });
    return { id: result.id, channel, duplicate: result.duplicate };
  }

  history(channel: string, query: HistoryQuery): Promise<HistoryPage> {
    assertChannelName(channel);
    return this.broker.history(channel, query);
  }

  /**
   * Opens a stream of one channel (`single`: ids are the channel's own) or of several
   * (`multi`: envelopes and composite ids). Validates names and their number.
   */
  open(channels: readonly string[], lastEventId: string | undefined, sink: StreamSink, onFail: (reason: string) => void): StreamHandle {
    this.assertChannels(channels);
    if (sink.mode === 'single') {
      return this.reader(channels[0]!, lastEventId, (item) => sink.push(item), onFail);
    }
    const maxHeld = Math.max(this.options.historyLimit, PAGE_SIZE) * channels.length;
    return new MultiChannelReader(
      channels,
      lastEventId,
      (channel, after, push) => this.reader(channel, after, push, onFail),
      (item) => sink.push(item),
      maxHeld,
      onFail,
    );
  }

  /**
   * Nest `MessageEvent`s for an `@Sse()` handler: `retry`, replay, then live, with
   * heartbeats; completes (and the client reconnects) instead of erroring.
   */
  stream(channels: readonly string[], options: StreamOptions = {}): Observable<SseMessageEvent> {
    this.assertChannels(channels);
    const mode = channels.length === 1 ? 'single' : 'multi';
    return toMessageEvents(
      (sink, onFail) => this.open(channels, options.lastEventId, { mode, push: sink } as StreamSink, onFail),
      { lastEventId: options.lastEventId, retryMs: this.options.retryMs, heartbeatMs: this.options.heartbeatMs, mode },
      (reason) => this.logger.warn(`stream of ${channels.join(', ')} ended: ${reason}`),
    );
  }

  /** Declares a channel's policy (as `forFeature([{ name, policy }])` does). */
  declarePolicy(channel: string, policy: ChannelPolicy): void {
    if (policy === 'latest') this.declaredLatest.add(channel);
    else this.declaredLatest.delete(channel);
  }

  policyOf(channel: string): ChannelPolicy {
    if (this.declaredLatest.has(channel)) return 'latest';
    return this.configuredLatest(channel) ? 'latest' : 'all';
  }

  /** Local subscribers per channel on this instance. */
  localSubscriptions(): Map<string, number> {
    return this.fanouts.counts();
  }

  assertChannels(channels: readonly string[]): void {
    if (channels.length === 0) throw new InvalidInputError('at least one channel is required');
    if (channels.length > this.options.maxChannelsPerStream) {
      throw new InvalidInputError(tooManyChannels(this.options.maxChannelsPerStream));
    }
    for (const channel of channels) assertChannelName(channel);
  }

  private reader(channel: string, after: string | undefined, push: (item: StreamItem) => void, onFail: (reason: string) => void) {
    return new ChannelReader(channel, this.fanouts.get(channel), this.broker, after, push, {
      pageSize: PAGE_SIZE,
      maxPages: Math.ceil((this.options.historyLimit * 2) / PAGE_SIZE) + 1,
      maxPending: Math.max(this.options.historyLimit, PAGE_SIZE),
    }, onFail);
  }

  /** JSON text of the payload, made once here and shared by every instance and subscriber. */
  private serialize(data: unknown): string {
    if (data === undefined) throw new InvalidInputError(dataRequired);
    let text: string | undefined;
    try {
      text = JSON.stringify(data);
    } catch (error) {
      throw new InvalidInputError(unserializableData(describe(error)));
    }
    if (text === undefined) throw new InvalidInputError(unserializableData('not a JSON value'));
    const bytes = Buffer.byteLength(text);
    if (bytes > this.options.maxEventBytes) {
      throw new PayloadTooLargeError(eventTooLarge(bytes, this.options.maxEventBytes));
    }
    return text;
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
