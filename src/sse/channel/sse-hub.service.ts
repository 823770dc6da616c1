import { Inject, Injectable, Logger, type MessageEvent } from '@nestjs/common';
import type { Observable } from 'rxjs';
import { Broker, type HistoryPage, type HistoryQuery } from '../broker/broker.interface.js';
import { InvalidInputError, PayloadTooLargeError } from '../errors/index.js';
import { countedPublish } from '../metrics/counted-publish.util.js';
import { SseMetrics } from '../metrics/sse-metrics.interface.js';
import type {
  AnyOutgoingEvent,
  EventMap,
  PublishedEvent,
  PublishOptions,
  ResolvedSseOptions,
  StreamOptions,
} from '../interfaces/index.js';
import { CompositePosition } from '../position/composite-position.js';
import { StreamPosition } from '../position/stream-position.js';
import { dataRequired, eventTooLarge, tooManyChannels, unserializableData } from '../sse.messages.js';
import { SSE_OPTIONS } from '../sse.tokens.js';
import { assertChannelName, assertPublishableEventType, channelMatcher, errorMessage } from '../utils/index.js';
import { Channel } from './channel.js';
import { ChannelReader, type ChannelReaderOptions, type ReaderStart } from './channel-reader.js';
import { DeliveryStats } from './delivery-stats.js';
import { FanoutRegistry } from './fanout-registry.js';
import { MultiChannelReader } from './multi-channel-reader.js';
import { StreamFactory, type StreamRequest } from './stream-request.js';
import type { ReaderSink, StreamHandle, StreamSink } from './stream-sink.js';

/** Events per history request when a fan-out fills a gap after a broker reconnect. */
const GAP_PAGE_SIZE = 500;
/** Bytes a frame adds around an event's data at most (id, type, envelope). */
const FRAME_OVERHEAD_BYTES = 512;

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
  private readonly readerOptions: ChannelReaderOptions;
  /** Live deliveries of this instance's fan-outs (the cluster view's rate and lag). */
  readonly deliveries = new DeliveryStats();

  constructor(
    @Inject(Broker) private readonly broker: Broker,
    @Inject(SSE_OPTIONS) private readonly options: ResolvedSseOptions,
    @Inject(StreamFactory) private readonly streams: StreamFactory,
    @Inject(SseMetrics) private readonly metrics: SseMetrics,
  ) {
    this.configuredLatest = channelMatcher(options.latestChannels);
    const maxPending = Math.max(options.historyLimit, GAP_PAGE_SIZE);
    this.fanouts = new FanoutRegistry(broker, {
      pageSize: GAP_PAGE_SIZE,
      maxPending,
      onError: (message, error) => this.logger.warn(`${message}: ${errorMessage(error)}`),
      onDeliver: (channel, listeners, storedAt) => {
        this.deliveries.record(listeners, storedAt);
        metrics.delivered(channel, listeners, storedAt);
      },
      onReset: (reason, listeners) => metrics.reset(reason, listeners),
    });
    this.readerOptions = {
      // A replay page must fit a stream's unsent-bytes allowance twice over, even of the largest events.
      pageSize: Math.max(1, Math.min(GAP_PAGE_SIZE, Math.floor(options.maxBufferBytes / 2 / (options.maxEventBytes + FRAME_OVERHEAD_BYTES)))),
      maxReplay: options.historyLimit * 2,
      maxPending,
      metrics,
    };
  }

  /** A channel by name; throws `InvalidInputError` for a name outside the allowed pattern. */
  channel<M extends EventMap = EventMap>(name: string): Channel<M> {
    assertChannelName(name);
    return new Channel<M>(name, this);
  }

  /** Stores the event (every instance sees it) and answers its id. */
  async publish(channel: string, message: AnyOutgoingEvent, options: PublishOptions = {}): Promise<PublishedEvent> {
    assertChannelName(channel);
    if (message.event !== undefined) assertPublishableEventType(message.event);
    const data = this.serialize(message.data);
    const result = await countedPublish(this.metrics, channel, this.broker.publish(channel, {
      event: message.event,
      data,
      idempotencyKey: options.idempotencyKey,
    }));
    return { id: result.position.toString(), channel, duplicate: result.duplicate };
  }

  history(channel: string, query: HistoryQuery): Promise<HistoryPage> {
    assertChannelName(channel);
    return this.broker.history(channel, query);
  }

  /**
   * A stream of one channel, or of several on one connection, for an `@Sse()` handler to
   * return: replay after `lastEventId`, then live. Served by the module's stream writer
   * (shared frame bytes, bounded buffers, heartbeats, drain); return it as it is.
   * Throws `InvalidInputError` for bad channel names or too many channels.
   */
  stream(channels: readonly string[], options: StreamOptions = {}): Observable<MessageEvent> {
    this.assertChannels(channels);
    const mode = channels.length === 1 ? 'single' : 'multi';
    const lastEventId = options.lastEventId;
    const request: StreamRequest = {
      channels: [...channels],
      mode,
      lastEventId,
      latest: channels.every((channel) => this.policyOf(channel) === 'latest'),
      open: (sink, onFail) => this.open(request.channels, mode, lastEventId, sink, onFail),
    };
    return this.streams.create(request);
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

  /** Throws `InvalidInputError` unless `channels` are 1 to `maxChannelsPerStream` valid names. */
  assertChannels(channels: readonly string[]): void {
    if (channels.length === 0) throw new InvalidInputError('at least one channel is required');
    if (channels.length > this.options.maxChannelsPerStream) {
      throw new InvalidInputError(tooManyChannels(this.options.maxChannelsPerStream));
    }
    for (const channel of channels) assertChannelName(channel);
  }

  /**
   * Opens the readers of a stream (channels already checked). The client's last event ID is
   * parsed here, once: a position of the channel, a composite one of several, or no
   * position at all (the client gets a reset).
   */
  private open(channels: readonly string[], mode: 'single' | 'multi', lastEventId: string | undefined, sink: StreamSink, onFail: (reason: string) => void): StreamHandle {
    if (mode === 'single') {
      const from: ReaderStart = lastEventId === undefined ? undefined : (StreamPosition.parse(lastEventId) ?? 'invalid');
      return this.reader(channels[0]!, from, sink, onFail);
    }
    const resume = lastEventId === undefined ? new Map<string, StreamPosition>() : CompositePosition.parse(lastEventId, channels);
    // A token that is no token resets every channel; a channel missing from a good token
    // (one the client just added) starts at its head.
    const starts = new Map<string, ReaderStart>(channels.map((channel) => [channel, resume === null ? 'invalid' : resume.get(channel)]));
    const maxHeld = this.readerOptions.maxPending * channels.length;
    return new MultiChannelReader(starts, (channel, from, merger) => this.reader(channel, from, merger, onFail), sink, maxHeld, onFail);
  }

  private reader(channel: string, from: ReaderStart, sink: ReaderSink, onFail: (reason: string) => void): ChannelReader {
    return new ChannelReader(channel, this.fanouts.get(channel), this.broker, from, sink, this.readerOptions, onFail);
  }

  /** JSON text of the payload, made once here and shared by every instance and subscriber. */
  private serialize(data: unknown): string {
    if (data === undefined) throw new InvalidInputError(dataRequired);
    let text: string | undefined;
    try {
      text = JSON.stringify(data);
    } catch (error) {
      throw new InvalidInputError(unserializableData(errorMessage(error)));
    }
    if (text === undefined) throw new InvalidInputError(unserializableData('not a JSON value'));
    const bytes = Buffer.byteLength(text);
    if (bytes > this.options.maxEventBytes) {
      throw new PayloadTooLargeError(eventTooLarge(bytes, this.options.maxEventBytes));
    }
    return text;
  }
}
