import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { DeliverySample } from '../channel/delivery-stats.js';
import { SseHub } from '../channel/sse-hub.service.js';
import type { ResolvedSseOptions } from '../interfaces/index.js';
import { SseMetrics } from '../metrics/sse-metrics.interface.js';
import { ConnectionRegistry } from '../stream/connection-registry.service.js';
import { SSE_OPTIONS } from '../sse.tokens.js';
import { byInstanceId, ClusterPresence, type InstancePresence } from './presence.interface.js';
import { ShedBackoff, type BackoffState } from './rebalance-backoff.js';
import { planRebalance } from './rebalance-plan.js';

/** How long clients told to move wait before reconnecting, spread at random. */
const MOVE_RETRY_MIN_MS = 200;
const MOVE_RETRY_SPREAD_MS = 1000;

/** The cluster as this instance last saw it (`Rebalancer.view()`). */
export interface RebalancerView {
  readonly self: string;
  /** Instances that serve streams, this one with its current count (when it serves streams). */
  readonly instances: InstancePresence[];
  /** Streams this instance has moved away since it started. */
  readonly shed: number;
  /** Whether this instance takes part: it mounts the HTTP API or has served a stream. */
  readonly servesStreams: boolean;
  /** `shedding`: moving its excess now; `paused`: shedding had no effect, waiting (see `backoff`). */
  readonly rebalancing: 'off' | 'idle' | 'shedding' | 'paused';
  readonly backoff: BackoffState;
}

/**
 * Keeps the instances' stream counts even, which no load balancer does for long-lived
 * connections: every instance that serves streams reports its count; one holding more than
 * `rebalanceRatio` times the mean closes a few streams per second, each told to come back
 * after a short, jittered delay, so the balancer sends them to the emptier instances.
 * Clients resume from their last id, so nothing is lost.
 *
 * Only instances that serve streams count in the mean: one that mounts the HTTP API (it is
 * there to serve them, so a new gateway with no stream yet draws the others' excess at once),
 * or one that has served a stream through the connection registry (an application's own
 * routes), from its first stream on. An application that only publishes never reports, so
 * it cannot pull the mean down. When shedding has no effect (the clients come back here),
 * `ShedBackoff` pauses it. Each report also carries this instance's delivery rate and lag
 * and, beside it, its subscribers per channel (`GET /channels/:channel/presence`).
 */
@Injectable()
export class Rebalancer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Rebalancer');
  private readonly backoff: ShedBackoff;
  private timer: NodeJS.Timeout | null = null;
  private stepping = false;
  private serving: boolean;
  private shedding = false;
  /** Whether the current episode of shedding was announced in the log; when the last shed was. */
  private announced = false;
  private lastShedAt = 0;
  private readonly settleMs: number;
  private lastView: InstancePresence[] = [];
  private lastDelivery: DeliverySample = { deliveryRate: 0, lagMs: null, lagMaxMs: null };
  /** The subscribers per channel last reported, and the streams opened and closed by then. */
  private channelCounts: ReadonlyMap<string, number> = new Map();
  private streamsCounted = -1;
  private stepsSinceCount = 0;
  private nextCountAt = 0;
  private shedTotal = 0;

  constructor(
    @Inject(ClusterPresence) private readonly presence: ClusterPresence,
    private readonly registry: ConnectionRegistry,
    private readonly hub: SseHub,
    @Inject(SSE_OPTIONS) private readonly options: ResolvedSseOptions,
    @Inject(SseMetrics) private readonly metrics: SseMetrics,
  ) {
    this.serving = options.http !== undefined;
    const interval = options.presenceIntervalMs;
    const settleMs = MOVE_RETRY_MIN_MS + MOVE_RETRY_SPREAD_MS + interval;
    this.settleMs = settleMs;
    const firstPauseMs = Math.max(2 * settleMs, 10 * interval);
    this.backoff = new ShedBackoff({
      settleMs,
      minSample: Math.max(10, 2 * this.maxShed()),
      firstPauseMs,
      maxPauseMs: Math.max(firstPauseMs, 300 * interval),
    });
  }

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.step(), this.options.presenceIntervalMs);
    this.timer.unref();
    void this.step();
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    if (this.serving) await this.presence.leave(this.options.instanceId).catch(() => undefined);
    await this.presence.close();
  }

  /** The instances as last seen, this one with its current count. */
  view(): RebalancerView {
    const self = this.options.instanceId;
    const now = Date.now();
    const others = this.lastView.filter((i) => i.id !== self);
    const mine: InstancePresence = { id: self, connections: this.registry.size, seenAt: now, ...this.lastDelivery };
    const instances = this.serving ? [...others, mine] : others;
    const backoff = this.backoff.state(now);
    const rebalancing =
      this.options.rebalanceRatio === 0 ? 'off' : backoff.pausedUntil !== null ? 'paused' : this.shedding ? 'shedding' : 'idle';
    return { self, instances: instances.sort(byInstanceId), shed: this.shedTotal, servesStreams: this.serving, rebalancing, backoff };
  }

  private async step(): Promise<void> {
    // A step that outlasts the interval (Redis slow, a large first channel report) is not doubled.
    if (this.stepping) return;
    this.stepping = true;
    try {
      await this.stepOnce();
    } finally {
      this.stepping = false;
    }
  }

  private async stepOnce(): Promise<void> {
    const { instanceId, presenceIntervalMs, rebalanceRatio } = this.options;
    this.serving ||= this.registry.stats().opened > 0;
    // Not serving streams (yet): nothing to report, and no part in the mean.
    if (!this.serving) return;
    this.lastDelivery = this.hub.deliveries.sample();
    const ttlMs = presenceIntervalMs * 3;
    try {
      await Promise.all([
        this.presence.report({ id: instanceId, connections: this.registry.size, ...this.lastDelivery }, ttlMs),
        this.presence.reportChannels(instanceId, this.currentChannelCounts(), ttlMs),
      ]);
      this.lastView = await this.presence.list();
    } catch (error) {
      // Without a view of the cluster nothing moves; streams are unaffected.
      this.logger.warn(`presence unavailable: ${(error as Error).message}`);
      return;
    }
    if (this.registry.stats().draining) return;
    const now = Date.now();
    const mine = this.registry.size;
    const plan = planRebalance({
      self: instanceId,
      mine,
      instances: this.lastView,
      ratio: rebalanceRatio,
      maxShed: this.maxShed(),
      shedding: this.shedding,
    });
    if (plan.shed === 0) {
      this.shedding = plan.shedding;
      this.backoff.idle(now);
      // Quiet long enough for every moved client to have landed: the episode is over.
      if (now - this.lastShedAt > 2 * this.settleMs) this.announced = false;
      return;
    }
    const decision = this.backoff.beforeShed(now, mine - plan.mean);
    // Holding: the clients of a full window are landing; shedding goes on once it is judged.
    if (decision.kind === 'holding') return;
    if (decision.kind === 'paused') {
      this.shedding = false;
      return;
    }
    if (decision.kind === 'backed-off') {
      this.shedding = false;
      this.announced = false;
      this.logger.warn(
        `shedding has no effect: of ${decision.shed} streams moved away, ${decision.stayedAway} stayed away ` +
          `(the clients come back here: does the load balancer reach the other instances?); ` +
          `pausing rebalancing for ${formatSeconds(decision.pauseMs)} (back-off ${decision.backoffs} in a row)`,
      );
      return;
    }
    // Once per episode: an instance whose count swings around the threshold says it once.
    if (!this.announced) {
      this.logger.log(`holding ${mine} streams, cluster mean ${plan.mean.toFixed(1)}: moving the excess`);
      this.announced = true;
    }
    this.shedding = true;
    const shed = this.registry.shed(plan.shed, MOVE_RETRY_MIN_MS, MOVE_RETRY_SPREAD_MS);
    this.shedTotal += shed;
    this.metrics.streamsShed(shed);
    this.lastShedAt = now;
    this.backoff.shed(now, shed);
  }

  /**
   * Subscribers per channel: counted again (a pass over every channel of this instance) when
   * a stream opened or closed since the last count, else the same snapshot, which the
   * presence then only keeps alive. Every tenth step counts anyway, for streams served
   * outside the connection registry. Counting, and comparing with the last report after it
   * (about as long), take at most 2% of the time: an instance with very many channels counts
   * less often than every step.
   */
  private currentChannelCounts(): ReadonlyMap<string, number> {
    const { opened, closed } = this.registry.stats();
    const streams = Object.values(closed).reduce((sum, n) => sum + n, opened);
    const now = performance.now();
    if ((streams !== this.streamsCounted || ++this.stepsSinceCount >= 10) && now >= this.nextCountAt) {
      this.channelCounts = this.hub.localSubscriptions();
      this.nextCountAt = now + (performance.now() - now) * 100;
      this.streamsCounted = streams;
      this.stepsSinceCount = 0;
    }
    return this.channelCounts;
  }

  /** Most streams shed in one step: `rebalanceRate` per second over one interval, at least one. */
  private maxShed(): number {
    return Math.max(1, Math.round((this.options.rebalanceRate * this.options.presenceIntervalMs) / 1000));
  }
}

function formatSeconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${(ms / 1000).toFixed(1)} s`;
}
