import { Logger } from '@nestjs/common';
import cluster, { type Address, type Worker } from 'node:cluster';
import { fileURLToPath } from 'node:url';
import type { GatewayConfig } from '../../config/gateway.config.js';
import { workerInstanceId } from '../../config/workers.config.js';
import { SSE_DEFAULTS } from '../../sse/internals.js';
import { createGatewayLogger } from '../logging/create-gateway-logger.js';
import { setupSummary } from '../logging/setup-summary.util.js';
import { poolListening, poolStopping, poolStopTimedOut, workerDied, workerFailedToStart, workerReplaced, workerStarted } from './workers.messages.js';

/** A worker that died is replaced after 1 s, then 2, 4, … up to 30 s while it keeps dying quickly. */
const FIRST_RESTART_MS = 1_000;
const MAX_RESTART_MS = 30_000;
/** A worker that ran this long before it died was not crash-looping: its back-off starts over. */
const STABLE_MS = 60_000;
/** Each worker gives up on its own drain after `drainMs` + 5 s; the primary waits a little longer. */
const STOP_MARGIN_MS = 10_000;

/** How long to wait before replacing a worker that died for the `deaths`-th time in a row. */
export function restartDelayMs(deaths: number): number {
  return Math.min(FIRST_RESTART_MS * 2 ** Math.max(0, deaths - 1), MAX_RESTART_MS);
}

/** One place in the pool: a worker number and instance id, and the process filling it now. */
interface WorkerSlot {
  readonly number: number;
  readonly instanceId: string;
  worker: Worker | undefined;
  listening: boolean;
  startedAt: number;
  deaths: number;
  restart: NodeJS.Timeout | undefined;
}

/**
 * The primary of `SSE_WORKERS` > 1 (README: Every core): forks one full gateway per worker
 * on the same port (Node's `cluster`: on Linux the primary accepts and hands connections out
 * round robin), each with its own `INSTANCE_ID` (`<id>-w<n>`), so Redis and the rebalancer
 * see them as instances like any other. It serves nothing itself. It logs one `listening on`
 * line once every worker listens, replaces a worker that dies (with a back-off), and on
 * SIGTERM or SIGINT lets every worker drain its streams as a single gateway does, exiting
 * 0 once all have exited cleanly.
 */
export class GatewayWorkerPool {
  private readonly logger = new Logger('Workers');
  private readonly slots: WorkerSlot[];
  private up = false;
  private stopping = false;
  private failed = false;

  constructor(private readonly config: GatewayConfig) {
    this.slots = Array.from({ length: config.workers }, (_, i) => ({
      number: i + 1,
      instanceId: workerInstanceId(config.instanceId, i + 1),
      worker: undefined,
      listening: false,
      startedAt: 0,
      deaths: 0,
      restart: undefined,
    }));
  }

  start(): void {
    // Every worker runs the gateway's own entry, which serves when it finds itself a worker.
    cluster.setupPrimary({ exec: fileURLToPath(new URL('../../main.js', import.meta.url)) });
    for (const slot of this.slots) this.fork(slot);
  }

  stop(signal: string): void {
    if (this.stopping) return;
    this.stopping = true;
    const live = this.slots.filter((slot) => slot.worker);
    this.logger.log(poolStopping(signal, live.length));
    for (const slot of this.slots) {
      clearTimeout(slot.restart);
      // A plain signal, as an orchestrator sends a single gateway: the worker drains its streams
      // itself. (`worker.kill()` would first close its listening socket behind Nest's back.)
      slot.worker?.process.kill('SIGTERM');
    }
    const drainMs = this.config.sse.drainMs ?? SSE_DEFAULTS.drainMs;
    setTimeout(() => {
      const stuck = this.slots.filter((slot) => slot.worker);
      for (const slot of stuck) slot.worker?.process.kill('SIGKILL');
      this.logger.error(poolStopTimedOut(stuck.length));
      process.exit(1);
    }, drainMs + STOP_MARGIN_MS).unref();
    this.exitIfAllGone();
  }

  private fork(slot: WorkerSlot): void {
    // A worker is one gateway: its own id, and SSE_WORKERS=1 (the pool's settings were checked here).
    const worker = cluster.fork({ INSTANCE_ID: slot.instanceId, SSE_WORKERS: '1' });
    slot.worker = worker;
    slot.listening = false;
    slot.startedAt = Date.now();
    if (!this.up) this.logger.log(workerStarted(slot.number, slot.instanceId, worker.process.pid));
    worker.once('listening', (address: Address) => this.listening(slot, worker, address));
    worker.once('exit', (code: number | null, signal: string | null) => this.exited(slot, worker, signal ? `signal ${signal}` : `code ${code}`, code === 0));
  }

  private listening(slot: WorkerSlot, worker: Worker, address: Address): void {
    if (slot.worker !== worker) return;
    slot.listening = true;
    if (this.up) {
      this.logger.log(workerReplaced(slot.number, slot.instanceId, worker.process.pid));
      return;
    }
    if (this.stopping || !this.slots.every((s) => s.listening)) return;
    this.up = true;
    // The port the workers share (the one the primary chose, when PORT is 0).
    const where = `${this.config.host}:${address.port}`;
    this.logger.log(poolListening(this.config.instanceId, where, this.slots.map((s) => s.instanceId), setupSummary(this.config)));
  }

  private exited(slot: WorkerSlot, worker: Worker, how: string, clean: boolean): void {
    if (slot.worker !== worker) return;
    slot.worker = undefined;
    if (this.stopping) {
      this.failed ||= !clean;
      this.exitIfAllGone();
      return;
    }
    if (!this.up && !slot.listening) {
      // The first workers never came up (the port is taken, say): nothing to supervise.
      this.logger.error(workerFailedToStart(slot.number, how));
      this.failed = true;
      this.stop('start failed');
      return;
    }
    slot.deaths = Date.now() - slot.startedAt >= STABLE_MS ? 1 : slot.deaths + 1;
    const delayMs = restartDelayMs(slot.deaths);
    this.logger.warn(workerDied(slot.number, slot.instanceId, worker.process.pid, how, delayMs, slot.deaths));
    slot.restart = setTimeout(() => {
      slot.restart = undefined;
      this.fork(slot);
    }, delayMs);
  }

  private exitIfAllGone(): void {
    if (this.slots.every((slot) => !slot.worker)) process.exit(this.failed ? 1 : 0);
  }
}

/**
 * Runs the gateway as `config.workers` processes on one port; this process supervises them
 * until SIGTERM or SIGINT (README: Every core). Call in the primary only.
 */
export function runWorkerPool(config: GatewayConfig): void {
  createGatewayLogger(config);
  const pool = new GatewayWorkerPool(config);
  // A terminal's Ctrl-C reaches the workers too; they drain once either way.
  process.once('SIGTERM', () => pool.stop('SIGTERM'));
  process.once('SIGINT', () => pool.stop('SIGINT'));
  pool.start();
}
