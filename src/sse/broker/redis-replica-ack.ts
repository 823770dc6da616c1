import type { Redis } from 'ioredis';
import { BrokerUnavailableError } from '../errors/index.js';
import { replicaAckInterrupted, replicasNotReached } from '../sse.messages.js';

/**
 * Confirms with Redis `WAIT` that what one connection wrote reached `replicas` replicas,
 * so that a failover to any of them keeps it.
 *
 * `WAIT` waits for the replication offset of the connection's own last write, so it runs on
 * the connection that wrote, and only once the write's answer is back: sent any earlier, an
 * EVALSHA that Redis answers NOSCRIPT (a promoted replica has an empty script cache) would be
 * sent again as EVAL behind the WAIT, which would then confirm nothing.
 *
 * Concurrent publishes on the connection share WAITs: one WAIT covers every write made before
 * it on the connection, whichever caller made it. While a WAIT is out, Redis holds every later
 * command of the connection behind it, so callers whose write answered meanwhile join one
 * WAIT sent as soon as the current one answers (group commit): at most two WAITs are ever
 * pending, however many publishes run at once. A WAIT already out is never joined: it may have
 * been sent before the caller's write ran.
 *
 * The connection is the broker's alone for acknowledged publishes (a WAIT blocks it for up to
 * `timeoutMs` while replicas lag), so history reads and health checks never queue behind one.
 *
 * A WAIT answered on a later connection than the write's (it closed in between: the master
 * died, or was demoted) confirms nothing about that write, so the publish fails instead.
 */
export class ReplicaAcks {
  /** The WAIT sent and not answered yet. */
  private inflight: Promise<number> | undefined;
  /** The WAIT to send once `inflight` answers, shared by every caller that joins before then. */
  private queued: Promise<number> | undefined;
  /** Counts the connection's closes: a write and its WAIT must share one. */
  private generation = 0;

  /**
   * @param replicas Replicas that must confirm (1 or more).
   * @param timeoutMs `WAIT`'s own timeout: how long Redis waits for them.
   * @param barrierChannel A pub/sub channel nobody listens to (see `confirm`).
   */
  constructor(
    private readonly conn: Redis,
    private readonly replicas: number,
    private readonly timeoutMs: number,
    private readonly barrierChannel: string,
  ) {
    conn.on('close', () => this.generation++);
  }

  /**
   * Resolves once enough replicas hold everything this connection wrote so far; throws
   * `BrokerUnavailableError` (503) when fewer confirmed within `timeoutMs`. `found`: the
   * publish wrote nothing (an idempotency key answered an earlier event, maybe stored by
   * another instance and not replicated yet). Redis 7.0 moves a connection's offset to the
   * master's after every command, but later versions only after one that is replicated; a
   * PUBLISH is replicated, so it moves this connection's offset past that event on both, and
   * the WAIT covers it too.
   */
  async confirm(found: boolean): Promise<void> {
    const generation = this.generation;
    if (found) await this.conn.publish(this.barrierChannel, '');
    const acked = await this.nextWait();
    if (generation !== this.generation) throw new BrokerUnavailableError(replicaAckInterrupted);
    if (acked < this.replicas) throw new BrokerUnavailableError(replicasNotReached(acked, this.replicas, this.timeoutMs));
  }

  private nextWait(): Promise<number> {
    if (this.queued) return this.queued;
    if (!this.inflight) return this.send();
    const queued = this.inflight.then(
      () => undefined,
      () => undefined,
    ).then(() => {
      this.queued = undefined;
      return this.send();
    });
    this.queued = queued;
    return queued;
  }

  private send(): Promise<number> {
    const wait = this.conn.wait(this.replicas, this.timeoutMs);
    this.inflight = wait;
    const settle = () => {
      if (this.inflight === wait) this.inflight = undefined;
    };
    wait.then(settle, settle);
    return wait;
  }
}
