import type { PublishResult } from '../broker/broker.interface.js';
import { SseError } from '../errors/sse.error.js';
import type { SseMetrics } from './sse-metrics.interface.js';

/**
 * Awaits a broker publish and counts how it ended: `accepted`, `duplicate` (an earlier
 * publish with the same idempotency key answered), or `refused` when it fails with a 503
 * (the broker could not confirm the store in time). Other failures are not publishes that
 * reached the broker's verdict, and are passed on uncounted.
 */
export async function countedPublish(metrics: SseMetrics, channel: string, publishing: Promise<PublishResult>): Promise<PublishResult> {
  let result: PublishResult;
  try {
    result = await publishing;
  } catch (error) {
    if (error instanceof SseError && error.status === 503) metrics.published(channel, 'refused');
    throw error;
  }
  metrics.published(channel, result.duplicate ? 'duplicate' : 'accepted');
  return result;
}
