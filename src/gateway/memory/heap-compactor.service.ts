import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { performance } from 'node:perf_hooks';
import type { GatewayConfig } from '../../config/gateway.config.js';
import { ConnectionRegistry } from '../../sse/internals.js';
import { GATEWAY_CONFIG } from '../gateway.tokens.js';
import { BurstWatch } from './burst-watch.js';
import { compactingGc } from './compacting-gc.js';
import { heapCompacted } from './memory.messages.js';

/** How often the count of opened streams is read (ms): one integer read, four times a second. */
const SAMPLE_MS = 250;
/** Never two compactions closer than this (ms). */
const MIN_INTERVAL_MS = 1_000;
/** Compactions take at most a tenth of the time, however many streams a burst brings. */
const MAX_TIME_SHARE = 0.1;

/**
 * Gives back to the operating system the memory that opening streams leaves behind.
 *
 * Why: opening a stream allocates about 100 KB (the request, Express' and Nest's route
 * handling, the head) and keeps about 3.5 KB (the socket and the stream's state). Of the
 * rest, 13 to 22 KB per stream outlives two young-generation collections and lands in the
 * old generation (measured with `--trace-gc-nvp`, more the more requests arrive at once),
 * interleaved with the streams' long-lived objects. V8 frees it at its next full collection
 * but keeps the pages, every one of which still holds some stream: after 10,000 reconnects
 * the process keeps about 13 KB per stream instead of 3.5, for as long as they stay open.
 *
 * What: every `SSE_HEAP_COMPACT_AFTER_STREAMS` new streams, one full compacting collection
 * (see `compactingGc`), at most one a second and, since each pauses the process for a time
 * that grows with the open streams (logged; delivery resumes after it, nothing is lost),
 * spaced so that they take at most a tenth of the time. A burst of reconnects gets a few;
 * streams opening at a steady pace, one now and then.
 *
 * Off by default (`SSE_HEAP_COMPACT_AFTER_STREAMS=0`): with the old generation held to 25%
 * growth (`limitHeapGrowth`) an idle stream keeps about 4 KiB without it, and each compaction
 * stops delivery for 150 to 550 ms at 10,000 streams and slows a connect burst (in the
 * bench's case d, 47,106 streams held in 60 s with it, 49,997 of 50,000 without). It is for
 * deployments that trade those pauses for the last KiB per idle stream.
 */
@Injectable()
export class HeapCompactor implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Memory');
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly registry: ConnectionRegistry,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
  ) {}

  onApplicationBootstrap(): void {
    const minStreams = this.config.heapCompactAfterStreams;
    if (minStreams === 0) return;
    const watch = new BurstWatch({ minStreams, minIntervalMs: MIN_INTERVAL_MS, maxTimeShare: MAX_TIME_SHARE });
    const compact = compactingGc();
    this.timer = setInterval(() => {
      if (!watch.observe(this.registry.stats().opened, performance.now())) return;
      const rssBefore = residentSetSize();
      const started = performance.now();
      compact();
      const ended = performance.now();
      watch.compacted(ended, ended - started);
      this.logger.log(heapCompacted(this.registry.size, ended - started, rssBefore, residentSetSize()));
    }, SAMPLE_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }
}

/**
 * The process' resident set size in bytes, or undefined when it cannot be read. libuv reads
 * it from `/proc/self/stat`, which takes a file descriptor: with every descriptor held by a
 * stream (the file limit reached during a burst), `process.memoryUsage.rss()` throws EMFILE,
 * and a throw in this timer would end the process that serves those streams.
 */
function residentSetSize(): number | undefined {
  try {
    return process.memoryUsage.rss();
  } catch {
    return undefined;
  }
}
