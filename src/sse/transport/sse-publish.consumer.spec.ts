import { EMPTY } from 'rxjs';
import { NOOP_SSE_METRICS } from '../metrics/noop.metrics.js';
import { Logger } from '@nestjs/common';
import { jest } from '@jest/globals';
import type { Broker, PublishRequest, PublishResult } from '../broker/broker.interface.js';
import { MemoryBroker } from '../broker/memory.broker.js';
import { SseHub } from '../channel/sse-hub.service.js';
import { BrokerUnavailableError } from '../errors/index.js';
import { resolveSseOptions } from '../sse.options.js';
import { SsePublishConsumer } from './sse-publish.consumer.js';
import { SseTransportStats } from './sse-transport.stats.js';

/** The memory broker, each publish answered after a random delay (or failing while `down`). */
class SlowBroker extends MemoryBroker {
  down = false;
  override async publish(channel: string, request: PublishRequest): Promise<PublishResult> {
    await new Promise((r) => setTimeout(r, Math.random() * 5));
    if (this.down) throw new BrokerUnavailableError('Redis is unreachable');
    return super.publish(channel, request);
  }
}

function consumerOn(broker: Broker, maxEventBytes = 1024) {
  const options = resolveSseOptions({ maxEventBytes });
  const hub = new SseHub(broker, options, { create: () => EMPTY }, NOOP_SSE_METRICS);
  const stats = new SseTransportStats();
  return { consumer: new SsePublishConsumer(hub, options, stats), hub, stats };
}

describe('SsePublishConsumer', () => {
  let warnings: string[];
  beforeEach(() => {
    warnings = [];
    jest.spyOn(Logger.prototype, 'warn').mockImplementation((message: unknown) => void warnings.push(String(message)));
  });
  afterEach(() => jest.restoreAllMocks());

  it("stores each channel's messages in the order they arrived, however long each store takes", async () => {
    const broker = new SlowBroker({ historyLimit: 1000 });
    const { consumer, hub, stats } = consumerOn(broker);
    const handled = [];
    for (let n = 0; n < 50; n++) {
      handled.push(consumer.consume({ channel: n % 2 ? 'odd' : 'even', data: n, idempotencyKey: `k${n}` }));
    }
    expect(stats.pending).toBe(50);
    await Promise.all(handled);
    const data = async (channel: string) => (await hub.history(channel, { limit: 100 })).events.map((e) => Number(e.data));
    expect(await data('even')).toEqual([...Array(25).keys()].map((i) => i * 2));
    expect(await data('odd')).toEqual([...Array(25).keys()].map((i) => i * 2 + 1));
    expect(stats.snapshot()).toMatchObject({ received: 50, consumed: 50, stored: 50, duplicates: 0, pending: 0 });
  });

  it('stores a message once when two instances consume it, the second one counting a duplicate', async () => {
    const broker = new MemoryBroker({ historyLimit: 100 });
    const one = consumerOn(broker);
    const two = consumerOn(broker);
    const message = { channel: 'orders', event: 'order.created', data: { id: 7 }, idempotencyKey: 'k-7' };
    await Promise.all([one.consumer.consume(message), two.consumer.consume(message)]);
    expect((await one.hub.history('orders', { limit: 10 })).events.map((e) => [e.event, e.data])).toEqual([['order.created', '{"id":7}']]);
    expect(one.stats.stored + two.stats.stored).toBe(1);
    expect(one.stats.duplicates + two.stats.duplicates).toBe(1);
  });

  it('logs and counts a rejection and a failed store, and goes on with the next message', async () => {
    const broker = new SlowBroker({ historyLimit: 100 });
    const { consumer, hub, stats } = consumerOn(broker);
    await consumer.consume({ channel: 'c', data: 1 });
    broker.down = true;
    await consumer.consume({ channel: 'c', data: 2, idempotencyKey: 'k2' });
    broker.down = false;
    consumer.rejectUnreadable('Unexpected token');
    await consumer.consume({ channel: 'c', data: 3, idempotencyKey: 'k3' });
    expect((await hub.history('c', { limit: 10 })).events.map((e) => e.data)).toEqual(['3']);
    expect(stats.snapshot()).toMatchObject({ received: 4, stored: 1, rejected: { 'missing-key': 1, unreadable: 1 }, failed: { unavailable: 1, 'backlog-full': 0 } });
    expect(warnings).toEqual([
      expect.stringMatching(/^sse\.publish message rejected \(missing-key\) for channel c: no idempotencyKey/),
      'sse.publish message for channel c not stored by this instance (unavailable): the event could not be confirmed as stored (Redis is unreachable); retry with the same Idempotency-Key',
      'sse.publish message rejected (unreadable): Nest could not read the message: Unexpected token',
    ]);
  });
});
