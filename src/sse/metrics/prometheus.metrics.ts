import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { RESET_REASONS, type ResetReason } from '../broker/broker.interface.js';
import type { ResolvedSseMetricsOptions } from '../interfaces/sse-metrics-options.interface.js';
import type { CloseReason } from '../stream/sse-connection.js';
import { channelMatcher } from '../utils/channel-pattern.util.js';
import type { PublishOutcome, RedisRole, SseMetrics, TransportCounts } from './sse-metrics.interface.js';

/** Label of every channel outside the `channels` allow-list. */
export const OTHER_CHANNEL = 'other';

const CLOSE_REASONS: readonly CloseReason[] = ['client', 'slow-consumer', 'rebalanced', 'drained', 'token-expired', 'error'];
const PUBLISH_OUTCOMES: readonly PublishOutcome[] = ['accepted', 'duplicate', 'refused'];

/**
 * Publish-to-deliver lag buckets, in seconds: a few ms on a quiet instance, up to a minute
 * for events read back after a Redis outage.
 */
const LAG_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

/** A series name the Node default metrics always register, to tell whether a registry has them. */
const DEFAULT_METRICS_PROBE = 'process_cpu_user_seconds_total';

/**
 * `SseMetrics` in a prom-client registry, in the Prometheus text format's conventions:
 * `sse_` prefix, `_total` counters, seconds. Every label set that is known in advance starts
 * at 0, so a rate over it is defined before the first increment.
 */
export class PrometheusSseMetrics implements SseMetrics {
  readonly registry: Registry;
  private readonly channelOf: ((channel: string) => string) | undefined;
  private readonly redisReaders = new Map<RedisRole, (() => number)[]>();

  private readonly streamsOpen: Gauge;
  private readonly streamsOpenedTotal: Counter;
  private readonly streamsClosedTotal: Counter<'reason'>;
  private readonly eventsPublishedTotal: Counter<'outcome' | 'channel'>;
  private readonly framesDeliveredTotal: Counter<'channel'>;
  private readonly deliveryLag: Histogram<'channel'>;
  private readonly replayedEventsTotal: Counter;
  private readonly resetsTotal: Counter<'reason'>;
  private readonly shedStreamsTotal: Counter;
  private readonly redisConnections: Gauge<'role'>;
  private readonly redisErrorsTotal: Counter<'role'>;
  private transportCounts: (() => TransportCounts) | undefined;

  constructor(options: ResolvedSseMetricsOptions) {
    const registry = (this.registry = options.registry ?? new Registry());
    const registers = [registry];
    if (options.channels.length > 0) {
      const matches = channelMatcher(options.channels);
      this.channelOf = (channel) => (matches(channel) ? channel : OTHER_CHANNEL);
    }
    const perChannel = this.channelOf ? (['channel'] as const) : [];

    this.streamsOpen = new Gauge({ name: 'sse_streams_open', help: 'Event streams open on this instance.', registers });
    this.streamsOpenedTotal = new Counter({ name: 'sse_streams_opened_total', help: 'Event streams opened on this instance.', registers });
    this.streamsClosedTotal = new Counter({
      name: 'sse_streams_closed_total',
      help: 'Event streams closed on this instance, by reason: client, slow-consumer, rebalanced, drained, token-expired, error.',
      labelNames: ['reason'],
      registers,
    });
    this.eventsPublishedTotal = new Counter({
      name: 'sse_events_published_total',
      help: 'Publishes through this instance, by outcome: accepted (stored), duplicate (answered from an earlier Idempotency-Key), refused (503).',
      labelNames: ['outcome', ...perChannel],
      registers,
    });
    this.framesDeliveredTotal = new Counter({
      name: 'sse_frames_delivered_total',
      help: 'Live event frames handed to the streams of this instance (per event, its local subscribers).',
      labelNames: perChannel,
      registers,
    });
    this.deliveryLag = new Histogram({
      name: 'sse_delivery_lag_seconds',
      help: 'From when the broker stored an event to its fan-out to the streams of this instance, once per event.',
      labelNames: perChannel,
      buckets: LAG_BUCKETS,
      registers,
    });
    this.replayedEventsTotal = new Counter({
      name: 'sse_replayed_events_total',
      help: 'Events sent from history to streams that resumed from a position (Last-Event-ID).',
      registers,
    });
    this.resetsTotal = new Counter({
      name: 'sse_resets_total',
      help: 'Streams told to reset because their position could not be resumed, by reason: trimmed, unknown.',
      labelNames: ['reason'],
      registers,
    });
    this.shedStreamsTotal = new Counter({
      name: 'sse_rebalance_shed_streams_total',
      help: 'Streams this instance closed to even out the cluster (rebalancing).',
      registers,
    });
    const readers = this.redisReaders;
    this.redisConnections = new Gauge({
      name: 'sse_redis_connections',
      help: 'Redis connections ready, by role: command, subscriber (one per shard on a cluster), presence.',
      labelNames: ['role'],
      registers,
      collect() {
        for (const [role, reads] of readers) this.set({ role }, reads.reduce((sum, read) => sum + read(), 0));
      },
    });
    this.redisErrorsTotal = new Counter({
      name: 'sse_redis_errors_total',
      help: 'Errors Redis connections reported (failed connects, dropped sockets), by role.',
      labelNames: ['role'],
      registers,
    });
    // Counted by the consumer itself (its own counts are its state); read when collected.
    const transport = () => this.transportCounts?.();
    new Counter({
      name: 'sse_microservice_messages_consumed_total',
      help: 'sse.publish messages the microservice consumer stored, or found stored already under their key.',
      registers,
      collect() {
        const counts = transport();
        this.reset();
        if (counts) this.inc(counts.consumed);
      },
    });
    new Counter({
      name: 'sse_microservice_messages_rejected_total',
      help: 'sse.publish messages the microservice consumer did not store, by reason (README: Publishing from other services).',
      labelNames: ['reason'],
      registers,
      collect() {
        const counts = transport();
        this.reset();
        for (const [reason, count] of Object.entries(counts?.rejected ?? {})) this.inc({ reason }, count);
      },
    });

    for (const reason of CLOSE_REASONS) this.streamsClosedTotal.inc({ reason }, 0);
    for (const outcome of PUBLISH_OUTCOMES) this.eventsPublishedTotal.inc(this.withChannel({ outcome }, OTHER_CHANNEL), 0);
    for (const reason of RESET_REASONS) this.resetsTotal.inc({ reason }, 0);
    if (this.channelOf) {
      this.framesDeliveredTotal.inc({ channel: OTHER_CHANNEL }, 0);
      this.deliveryLag.zero({ channel: OTHER_CHANNEL });
    }
    if (options.defaultMetrics && !registry.getSingleMetric(DEFAULT_METRICS_PROBE)) collectDefaultMetrics({ register: registry });
  }

  streamOpened(): void {
    this.streamsOpen.inc();
    this.streamsOpenedTotal.inc();
  }

  streamClosed(reason: CloseReason): void {
    this.streamsOpen.dec();
    this.streamsClosedTotal.inc({ reason });
  }

  published(channel: string, outcome: PublishOutcome): void {
    this.eventsPublishedTotal.inc(this.withChannel({ outcome }, channel));
  }

  delivered(channel: string, frames: number, storedAt: number): void {
    // Clocks of Redis and this host may disagree by a little: never a negative lag.
    const lag = Math.max(0, Date.now() - storedAt) / 1000;
    if (this.channelOf) {
      const labels = { channel: this.channelOf(channel) };
      this.framesDeliveredTotal.inc(labels, frames);
      this.deliveryLag.observe(labels, lag);
    } else {
      this.framesDeliveredTotal.inc(frames);
      this.deliveryLag.observe(lag);
    }
  }

  replayed(count: number): void {
    this.replayedEventsTotal.inc(count);
  }

  reset(reason: ResetReason, streams: number): void {
    this.resetsTotal.inc({ reason }, streams);
  }

  streamsShed(count: number): void {
    this.shedStreamsTotal.inc(count);
  }

  watchRedisConnections(role: RedisRole, countUp: () => number): void {
    const reads = this.redisReaders.get(role) ?? [];
    reads.push(countUp);
    this.redisReaders.set(role, reads);
    this.redisErrorsTotal.inc({ role }, 0);
  }

  redisError(role: RedisRole): void {
    this.redisErrorsTotal.inc({ role });
  }

  watchTransport(counts: () => TransportCounts): void {
    this.transportCounts = counts;
  }

  private withChannel<L extends Record<string, string>>(labels: L, channel: string): L & { channel?: string } {
    return this.channelOf ? { ...labels, channel: this.channelOf(channel) } : labels;
  }
}
