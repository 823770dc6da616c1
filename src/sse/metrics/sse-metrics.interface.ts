import type { ResetReason } from '../broker/broker.interface.js';
import type { CloseReason } from '../stream/sse-connection.js';

/** How a publish ended: stored, answered from an earlier one with the same idempotency key, or refused with 503. */
export type PublishOutcome = 'accepted' | 'duplicate' | 'refused';

/** Which Redis connection: the broker's commands, its subscriber(s), or presence. */
export type RedisRole = 'command' | 'subscriber' | 'presence';

/** What the microservice consumer of `sse.publish` did so far, read whenever metrics are collected. */
export interface TransportCounts {
  /** Messages stored or found stored already (by key). */
  readonly consumed: number;
  /** Messages not stored, by reason (invalid ones and those that could not be stored). */
  readonly rejected: Readonly<Record<string, number>>;
}

/**
 * What the module counts, one method per thing counted (README: Observability / Metrics).
 * Every call is made once per event, stream or connection change on this instance, never
 * once per subscriber write, so an implementation may cost a few hundred nanoseconds a call.
 * Implementations must not throw: they run inside the delivery path.
 */
export interface SseMetrics {
  /** A stream opened on this instance. */
  streamOpened(): void;
  /** A stream that `streamOpened()` counted closed, and why. */
  streamClosed(reason: CloseReason): void;
  /** A publish on `channel` ended with `outcome` (bad requests, 400 and 413, are not publishes). */
  published(channel: string, outcome: PublishOutcome): void;
  /**
   * One live event of `channel` was handed to `frames` subscribers of this instance;
   * `storedAt` is when the broker stored it (`BrokerEvent.time`, ms since the Unix epoch),
   * so now minus `storedAt` is its publish-to-deliver lag. Called once per event per instance.
   */
  delivered(channel: string, frames: number, storedAt: number): void;
  /** `count` events were sent from history to a stream that resumed from a position. */
  replayed(count: number): void;
  /** `streams` streams were told to `reset` (their position could not be resumed). */
  reset(reason: ResetReason, streams: number): void;
  /** The rebalancer closed `count` streams to even out the cluster. */
  streamsShed(count: number): void;
  /**
   * Registers how to read how many Redis connections of `role` are up right now; read
   * whenever the metrics are collected. Several readers of one role add up.
   */
  watchRedisConnections(role: RedisRole, countUp: () => number): void;
  /** A Redis connection of `role` reported an error (a failed connect, a dropped socket). */
  redisError(role: RedisRole): void;
  /** Registers how to read the microservice consumer's counts; read whenever metrics are collected. */
  watchTransport(counts: () => TransportCounts): void;
}

/** Injection token of the active `SseMetrics` (no-op unless `forRoot({ metrics })`). */
export const SseMetrics = Symbol('SseMetrics');
