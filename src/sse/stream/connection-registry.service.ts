import { Inject, Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationShutdown } from '@nestjs/common';
import { StreamRefusedError } from '../errors/index.js';
import type { ResolvedSseOptions } from '../interfaces/index.js';
import { SseMetrics } from '../metrics/sse-metrics.interface.js';
import { connectionLimit, draining } from '../sse.messages.js';
import { SSE_OPTIONS } from '../sse.tokens.js';
import { encodeComment } from '../wire/event-stream.encoder.js';
import { CLOSE_REASONS, type CloseReason, type SseConnection } from './sse-connection.js';

const HEARTBEAT = encodeComment();

export interface ConnectionStats {
  readonly open: number;
  readonly opened: number;
  readonly closed: Readonly<Record<CloseReason, number>>;
  readonly draining: boolean;
}

/**
 * Every stream this instance serves: admission (limit, drain), one timer for all
 * heartbeats (each tick, a comment to every stream that wrote nothing since the last one:
 * a stream idle for half the heartbeat interval), counts, and closing them all at
 * shutdown with a spread-out `retry:` so the clients do not stampede the survivors.
 */
@Injectable()
export class ConnectionRegistry implements BeforeApplicationShutdown, OnApplicationShutdown {
  private readonly logger = new Logger('SseConnections');
  private readonly connections = new Set<SseConnection>();
  private readonly closedBy = Object.fromEntries(CLOSE_REASONS.map((reason) => [reason, 0])) as Record<CloseReason, number>;
  private opened = 0;
  private draining = false;
  private heartbeat: NodeJS.Timeout | null = null;

  constructor(
    @Inject(SSE_OPTIONS) private readonly options: ResolvedSseOptions,
    @Inject(SseMetrics) private readonly metrics: SseMetrics,
  ) {}

  /** Throws `StreamRefusedError` when this instance takes no new stream. */
  admit(): void {
    if (this.draining) throw new StreamRefusedError(draining, 1);
    const max = this.options.maxConnections;
    if (max !== undefined && this.connections.size >= max) {
      throw new StreamRefusedError(connectionLimit(max), Math.max(1, Math.ceil(this.options.retryMs / 1000)));
    }
  }

  add(connection: SseConnection): void {
    this.connections.add(connection);
    this.opened++;
    this.metrics.streamOpened();
    connection.onClose((reason, detail) => {
      this.connections.delete(connection);
      this.closedBy[reason]++;
      this.metrics.streamClosed(reason);
      if (reason === 'slow-consumer') this.logger.warn(`closed a slow consumer: ${detail}`);
    });
    this.heartbeat ??= this.startHeartbeat();
  }

  get size(): number {
    return this.connections.size;
  }

  /** Streams served since start (open or closed): zero for an instance that only publishes. */
  get servedAny(): boolean {
    return this.opened > 0;
  }

  stats(): ConnectionStats {
    return { open: this.connections.size, opened: this.opened, closed: { ...this.closedBy }, draining: this.draining };
  }

  /**
   * Closes up to `count` of the oldest streams, each told to reconnect after
   * `minRetryMs` plus a random part of `spreadMs`: the balancer places them anew.
   */
  shed(count: number, minRetryMs: number, spreadMs: number): number {
    let closed = 0;
    for (const connection of this.connections) {
      if (closed >= count) break;
      connection.end('rebalanced', 'moved to even out the cluster', minRetryMs + Math.floor(Math.random() * spreadMs));
      closed++;
    }
    return closed;
  }

  /** Stops taking streams and closes every open one, each told to retry after a random delay. */
  async beforeApplicationShutdown(): Promise<void> {
    this.draining = true;
    const spread = this.options.drainMs;
    for (const connection of [...this.connections]) {
      connection.end('drained', 'shutting down', Math.floor(Math.random() * spread));
    }
  }

  onApplicationShutdown(): void {
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.heartbeat = null;
  }

  private startHeartbeat(): NodeJS.Timeout {
    const timer = setInterval(() => {
      for (const connection of this.connections) {
        if (!connection.wroteSinceTick) connection.heartbeat(HEARTBEAT);
        connection.wroteSinceTick = false;
      }
    }, Math.max(1, Math.floor(this.options.heartbeatMs / 2)));
    timer.unref();
    return timer;
  }
}
