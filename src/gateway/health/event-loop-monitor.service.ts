import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { performance } from 'node:perf_hooks';
import type { GatewayConfig } from '../../config/gateway.config.js';
import { GATEWAY_CONFIG } from '../gateway.tokens.js';

/** What `GET /health/live` reports about the event loop. */
export interface EventLoopReport {
  /** Longest stall seen over the last one to two windows, or the one going on now, in ms (whole). */
  readonly maxDelayMs: number;
  /** `SSE_LIVENESS_MAX_DELAY_MS`: a longer stall makes the process count as wedged. */
  readonly limitMs: number;
  readonly wedged: boolean;
}

/** How often the loop is sampled: fine enough for limits of 100 ms and up, ten cheap wake-ups a second. */
const TICK_MS = 100;

/**
 * Watches the event loop for stalls, for liveness. A loop that is blocked right now answers
 * no probe at all (the probe times out); this catches the loop that *has been* blocked (a
 * synchronous hot path, a GC death spiral near the heap limit, a stopped process) and answers
 * the next probes with 503 while the stall is recent, so a process that keeps stalling between
 * probes still fails them. A timer that should fire every 100 ms measures how late it fires;
 * a stall is remembered for one to two windows of `SSE_LIVENESS_MAX_DELAY_MS`, so one stall
 * fails at most a probe or two and only a repeating one gets the process restarted. Nothing
 * here touches Redis or the request path.
 */
@Injectable()
export class EventLoopMonitor implements OnApplicationShutdown {
  private readonly timer: NodeJS.Timeout;
  private expectedAt = performance.now() + TICK_MS;
  private windowStartedAt = performance.now();
  private windowMaxMs = 0;
  private previousWindowMaxMs = 0;

  constructor(@Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig) {
    this.timer = setInterval(() => this.tick(), TICK_MS);
    this.timer.unref();
  }

  report(): EventLoopReport {
    // A probe can be read before the late timer runs (I/O first after a stall): count the
    // lateness of the pending tick too.
    const pending = performance.now() - this.expectedAt;
    const maxDelayMs = Math.max(0, Math.round(Math.max(this.windowMaxMs, this.previousWindowMaxMs, pending)));
    const limitMs = this.config.livenessMaxDelayMs;
    return { maxDelayMs, limitMs, wedged: maxDelayMs > limitMs };
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  private tick(): void {
    const now = performance.now();
    const delay = now - this.expectedAt;
    this.expectedAt = now + TICK_MS;
    if (now - this.windowStartedAt >= this.config.livenessMaxDelayMs) {
      this.previousWindowMaxMs = this.windowMaxMs;
      this.windowMaxMs = 0;
      this.windowStartedAt = now;
    }
    if (delay > this.windowMaxMs) this.windowMaxMs = delay;
  }
}
