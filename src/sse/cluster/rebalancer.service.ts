import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { ConnectionRegistry } from '../stream/connection-registry.service.js';
import type { ResolvedSseOptions } from '../interfaces/index.js';
import { SseMetrics } from '../metrics/sse-metrics.interface.js';
import { SSE_OPTIONS } from '../sse.tokens.js';
import { ClusterPresence, type InstancePresence } from './presence.interface.js';
import { planRebalance } from './rebalance-plan.js';

/** How long clients told to move wait before reconnecting, spread at random. */
const MOVE_RETRY_MIN_MS = 200;
const MOVE_RETRY_SPREAD_MS = 1000;

/**
 * Keeps the instances' stream counts even, which no load balancer does for long-lived
 * connections: every instance reports its count; one holding more than `rebalanceRatio`
 * times the mean closes a few streams per second, each told to come back after a short,
 * jittered delay, so the balancer sends them to the emptier instances. Clients resume from
 * their last id, so nothing is lost.
 */
@Injectable()
export class Rebalancer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Rebalancer');
  private timer: NodeJS.Timeout | null = null;
  private shedding = false;
  private lastView: InstancePresence[] = [];
  private shedTotal = 0;

  constructor(
    @Inject(ClusterPresence) private readonly presence: ClusterPresence,
    private readonly registry: ConnectionRegistry,
    @Inject(SSE_OPTIONS) private readonly options: ResolvedSseOptions,
    @Inject(SseMetrics) private readonly metrics: SseMetrics,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.step(), this.options.presenceIntervalMs);
    this.timer.unref();
    void this.step();
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.presence.leave(this.options.instanceId).catch(() => undefined);
    await this.presence.close();
  }

  /** The instances as last seen, this one with its current count. */
  view(): { self: string; instances: InstancePresence[]; shed: number } {
    const self = this.options.instanceId;
    const others = this.lastView.filter((i) => i.id !== self);
    const mine = { id: self, connections: this.registry.size, seenAt: Date.now() };
    return { self, instances: [...others, mine].sort((a, b) => a.id.localeCompare(b.id)), shed: this.shedTotal };
  }

  private async step(): Promise<void> {
    const { instanceId, presenceIntervalMs, rebalanceRatio, rebalanceRate } = this.options;
    try {
      await this.presence.report({ id: instanceId, connections: this.registry.size }, presenceIntervalMs * 3);
      this.lastView = await this.presence.list();
    } catch (error) {
      // Without a view of the cluster nothing moves; streams are unaffected.
      this.logger.warn(`presence unavailable: ${(error as Error).message}`);
      return;
    }
    if (this.registry.stats().draining) return;
    const plan = planRebalance({
      self: instanceId,
      mine: this.registry.size,
      instances: this.lastView,
      ratio: rebalanceRatio,
      maxShed: Math.max(1, Math.round((rebalanceRate * presenceIntervalMs) / 1000)),
      shedding: this.shedding,
    });
    if (plan.shedding && !this.shedding) {
      this.logger.log(`holding ${this.registry.size} streams, cluster mean ${plan.mean.toFixed(1)}: moving the excess`);
    }
    this.shedding = plan.shedding;
    if (plan.shed > 0) {
      const shed = this.registry.shed(plan.shed, MOVE_RETRY_MIN_MS, MOVE_RETRY_SPREAD_MS);
      this.shedTotal += shed;
      this.metrics.streamsShed(shed);
    }
  }
}
