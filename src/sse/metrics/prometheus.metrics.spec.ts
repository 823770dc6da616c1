import 'reflect-metadata';
import { Test } from '@nestjs/testing';
import { Registry, collectDefaultMetrics, type MetricObjectWithValues, type MetricValue } from 'prom-client';
import { MemoryBroker } from '../broker/memory.broker.js';
import { EMPTY } from 'rxjs';
import type { StreamItem } from '../channel/channel-event.js';
import { SseHub } from '../channel/sse-hub.service.js';
import type { StreamRequest } from '../channel/stream-request.js';
import { StreamPosition } from '../position/stream-position.js';
import { BrokerUnavailableError, InvalidInputError, InvalidSseOptionsError } from '../errors/index.js';
import { SseModule } from '../sse.module.js';
import { resolveSseOptions } from '../sse.options.js';
import { SSE_METRICS_REGISTRY } from '../sse.tokens.js';
import { countedPublish } from './counted-publish.util.js';
import { NOOP_SSE_METRICS } from './noop.metrics.js';
import { PrometheusSseMetrics } from './prometheus.metrics.js';
import { SseMetrics } from './sse-metrics.interface.js';

type Series = MetricObjectWithValues<MetricValue<string> & { metricName?: string }>;

const create = (channels: readonly string[] = [], registry = new Registry()) =>
  new PrometheusSseMetrics({ registry, channels, defaultMetrics: false });

async function series(registry: Registry, name: string): Promise<Series> {
  const found = (await registry.getMetricsAsJSON()).find((m) => m.name === name);
  if (!found) throw new Error(`no series ${name}`);
  return found as Series;
}

/** The value of `name` with exactly `labels` (for a histogram, pass its `le` too and the `_bucket` name). */
async function value(registry: Registry, name: string, labels: Record<string, string | number> = {}, metric = name): Promise<number | undefined> {
  const found = (await series(registry, metric)).values.find(
    (v) => (v.metricName ?? metric) === name && JSON.stringify(sorted(v.labels)) === JSON.stringify(sorted(labels)),
  );
  return found?.value;
}

const sorted = (labels: Record<string, unknown>) => Object.fromEntries(Object.entries(labels).sort(([a], [b]) => a.localeCompare(b)));

/** Records every call, to check where the module counts (never once per subscriber). */
function recordingMetrics(): SseMetrics & { calls: [string, ...unknown[]][] } {
  const calls: [string, ...unknown[]][] = [];
  const record = (name: string) => (...args: unknown[]) => void calls.push([name, ...args]);
  const metrics = Object.fromEntries(Object.keys(NOOP_SSE_METRICS).map((name) => [name, record(name)])) as unknown as SseMetrics;
  return Object.assign(metrics, { calls });
}

describe('PrometheusSseMetrics', () => {
  it('registers every series by its Prometheus name and type, known label sets at 0', async () => {
    const metrics = create();
    const all = await metrics.registry.getMetricsAsJSON();
    expect(Object.fromEntries(all.map((m) => [m.name, m.type]))).toEqual({
      sse_streams_open: 'gauge',
      sse_streams_opened_total: 'counter',
      sse_streams_closed_total: 'counter',
      sse_events_published_total: 'counter',
      sse_frames_delivered_total: 'counter',
      sse_delivery_lag_seconds: 'histogram',
      sse_replayed_events_total: 'counter',
      sse_resets_total: 'counter',
      sse_rebalance_shed_streams_total: 'counter',
      sse_redis_connections: 'gauge',
      sse_redis_errors_total: 'counter',
      sse_microservice_messages_consumed_total: 'counter',
      sse_microservice_messages_rejected_total: 'counter',
    });
    expect((await series(metrics.registry, 'sse_streams_closed_total')).values.map((v) => [v.labels.reason, v.value])).toEqual([
      ['client', 0], ['slow-consumer', 0], ['rebalanced', 0], ['drained', 0], ['token-expired', 0], ['error', 0],
    ]);
    expect((await series(metrics.registry, 'sse_events_published_total')).values.map((v) => v.labels)).toEqual([
      { outcome: 'accepted' }, { outcome: 'duplicate' }, { outcome: 'refused' },
    ]);
    // No consumer watched (the transport is off): no reasons yet.
    expect((await series(metrics.registry, 'sse_microservice_messages_rejected_total')).values).toEqual([]);
    // No Redis watched: no Redis series at all.
    expect((await series(metrics.registry, 'sse_redis_connections')).values).toEqual([]);
    expect((await series(metrics.registry, 'sse_redis_errors_total')).values).toEqual([]);
  });

  it('moves the open gauge with opens and closes, and counts closes by reason', async () => {
    const m = create();
    const registry = m.registry;
    m.streamOpened();
    m.streamOpened();
    m.streamOpened();
    m.streamClosed('slow-consumer');
    m.streamClosed('token-expired');
    expect(await value(registry, 'sse_streams_open')).toBe(1);
    expect(await value(registry, 'sse_streams_opened_total')).toBe(3);
    expect(await value(registry, 'sse_streams_closed_total', { reason: 'slow-consumer' })).toBe(1);
    expect(await value(registry, 'sse_streams_closed_total', { reason: 'token-expired' })).toBe(1);
    expect(await value(registry, 'sse_streams_closed_total', { reason: 'client' })).toBe(0);
  });

  it('has no channel label without an allow-list', async () => {
    const metrics = create();
    metrics.published('orders.eu', 'accepted');
    metrics.published('anything', 'duplicate');
    metrics.delivered('orders.eu', 7, Date.now());
    expect(await value(metrics.registry, 'sse_events_published_total', { outcome: 'accepted' })).toBe(1);
    expect(await value(metrics.registry, 'sse_events_published_total', { outcome: 'duplicate' })).toBe(1);
    expect(await value(metrics.registry, 'sse_frames_delivered_total')).toBe(7);
    expect(await value(metrics.registry, 'sse_delivery_lag_seconds_count', {}, 'sse_delivery_lag_seconds')).toBe(1);
  });

  it('labels allow-listed channels by name and every other one as "other"', async () => {
    const metrics = create(['orders.*', 'status']);
    metrics.published('orders.eu', 'accepted');
    metrics.published('orders.eu', 'refused');
    metrics.published('orders.eu.paris', 'accepted'); // * is one segment
    metrics.published('user.alice', 'accepted');
    metrics.delivered('status', 3, Date.now());
    metrics.delivered('user.bob', 2, Date.now());
    metrics.delivered('user.carol', 5, Date.now());
    const published = (await series(metrics.registry, 'sse_events_published_total')).values;
    expect(published.filter((v) => v.value > 0).map((v) => [v.labels.outcome, v.labels.channel, v.value])).toEqual([
      ['accepted', 'other', 2],
      ['accepted', 'orders.eu', 1],
      ['refused', 'orders.eu', 1],
    ]);
    expect(await value(metrics.registry, 'sse_frames_delivered_total', { channel: 'status' })).toBe(3);
    expect(await value(metrics.registry, 'sse_frames_delivered_total', { channel: 'other' })).toBe(7);
    expect(await value(metrics.registry, 'sse_delivery_lag_seconds_count', { channel: 'other' }, 'sse_delivery_lag_seconds')).toBe(2);
  });

  it('observes the lag in seconds from the stored time, once per call, never negative', async () => {
    const metrics = create();
    metrics.delivered('c', 10_000, Date.now() - 1_500);
    metrics.delivered('c', 1, Date.now() + 60_000); // a Redis clock ahead of ours
    const lag = (le: number | string) => value(metrics.registry, 'sse_delivery_lag_seconds_bucket', { le }, 'sse_delivery_lag_seconds');
    expect(await lag(0.001)).toBe(1);
    expect(await lag(1)).toBe(1);
    expect(await lag(2.5)).toBe(2);
    expect(await value(metrics.registry, 'sse_delivery_lag_seconds_count', {}, 'sse_delivery_lag_seconds')).toBe(2);
    const sum = (await value(metrics.registry, 'sse_delivery_lag_seconds_sum', {}, 'sse_delivery_lag_seconds'))!;
    expect(sum).toBeGreaterThanOrEqual(1.5);
    expect(sum).toBeLessThan(2.5);
    expect(await value(metrics.registry, 'sse_frames_delivered_total')).toBe(10_001);
  });

  it('counts replays, resets, sheds and microservice messages', async () => {
    const metrics = create();
    metrics.replayed(500);
    metrics.replayed(3);
    metrics.reset('unknown', 1);
    metrics.reset('trimmed', 40);
    metrics.streamsShed(5);
    metrics.watchTransport(() => ({ consumed: 2, rejected: { 'too-large': 1, 'missing-key': 0 } }));
    expect(await value(metrics.registry, 'sse_replayed_events_total')).toBe(503);
    expect(await value(metrics.registry, 'sse_resets_total', { reason: 'unknown' })).toBe(1);
    expect(await value(metrics.registry, 'sse_resets_total', { reason: 'trimmed' })).toBe(40);
    expect(await value(metrics.registry, 'sse_rebalance_shed_streams_total')).toBe(5);
    expect(await value(metrics.registry, 'sse_microservice_messages_consumed_total')).toBe(2);
    expect(await value(metrics.registry, 'sse_microservice_messages_rejected_total', { reason: 'too-large' })).toBe(1);
  });

  it('reads the Redis connections up when collected, adding up readers of one role', async () => {
    const metrics = create();
    let command = 1;
    let subscribers = 2;
    metrics.watchRedisConnections('command', () => command);
    metrics.watchRedisConnections('subscriber', () => subscribers);
    metrics.watchRedisConnections('subscriber', () => 1);
    metrics.redisError('command');
    expect(await value(metrics.registry, 'sse_redis_connections', { role: 'command' })).toBe(1);
    expect(await value(metrics.registry, 'sse_redis_connections', { role: 'subscriber' })).toBe(3);
    command = 0;
    subscribers = 0;
    expect(await value(metrics.registry, 'sse_redis_connections', { role: 'command' })).toBe(0);
    expect(await value(metrics.registry, 'sse_redis_connections', { role: 'subscriber' })).toBe(1);
    expect(await value(metrics.registry, 'sse_redis_errors_total', { role: 'command' })).toBe(1);
    expect(await value(metrics.registry, 'sse_redis_errors_total', { role: 'subscriber' })).toBe(0);
    expect(await value(metrics.registry, 'sse_redis_errors_total', { role: 'presence' })).toBeUndefined();
  });

  it("adds Node's default metrics to the same registry unless it has them already", async () => {
    const withDefaults = new PrometheusSseMetrics({ registry: undefined, channels: [], defaultMetrics: true });
    const names = (await withDefaults.registry.getMetricsAsJSON()).map((m) => m.name);
    expect(names).toEqual(expect.arrayContaining(['process_cpu_user_seconds_total', 'nodejs_eventloop_lag_seconds', 'sse_streams_open']));

    const registry = new Registry();
    collectDefaultMetrics({ register: registry });
    expect(() => new PrometheusSseMetrics({ registry, channels: [], defaultMetrics: true })).not.toThrow();
    expect((await registry.getMetricsAsJSON()).filter((m) => m.name === 'process_cpu_user_seconds_total')).toHaveLength(1);

    const without = create();
    expect((await without.registry.getMetricsAsJSON()).some((m) => m.name.startsWith('process_'))).toBe(false);
  });

  it('has a no-op with every method of the interface', () => {
    const methods = Object.getOwnPropertyNames(PrometheusSseMetrics.prototype).filter((n) => n !== 'constructor' && n !== 'withChannel');
    expect(Object.keys(NOOP_SSE_METRICS).sort()).toEqual(methods.sort());
    for (const method of Object.values(NOOP_SSE_METRICS)) expect((method as () => unknown)()).toBeUndefined();
  });
});

describe('countedPublish', () => {
  it('counts accepted, duplicate and refused (503), and passes other failures on uncounted', async () => {
    const metrics = recordingMetrics();
    const position = StreamPosition.of(1, 0, 'e');
    await expect(countedPublish(metrics, 'c', Promise.resolve({ position, duplicate: false }))).resolves.toEqual({ position, duplicate: false });
    await countedPublish(metrics, 'c', Promise.resolve({ position, duplicate: true }));
    await expect(countedPublish(metrics, 'c', Promise.reject(new BrokerUnavailableError('timeout')))).rejects.toBeInstanceOf(BrokerUnavailableError);
    await expect(countedPublish(metrics, 'c', Promise.reject(new InvalidInputError('bad')))).rejects.toBeInstanceOf(InvalidInputError);
    await expect(countedPublish(metrics, 'c', Promise.reject(new Error('bug')))).rejects.toThrow('bug');
    expect(metrics.calls).toEqual([
      ['published', 'c', 'accepted'],
      ['published', 'c', 'duplicate'],
      ['published', 'c', 'refused'],
    ]);
  });
});

describe('where the module counts', () => {
  it('counts a live event once per instance with its subscriber count, never once per subscriber', async () => {
    const broker = new MemoryBroker({ historyLimit: 100 });
    const metrics = recordingMetrics();
    let request: StreamRequest | undefined;
    const hub = new SseHub(broker, resolveSseOptions({}), { create: (r: StreamRequest) => ((request = r), EMPTY) }, metrics);
    const open = (lastEventId: string | undefined, items: StreamItem[] = []) => {
      hub.stream(['c'], { lastEventId });
      const sink = { push: (i: StreamItem) => void items.push(i), pushMulti: () => undefined, ready: () => undefined };
      return request!.open(sink, () => undefined);
    };
    const received: StreamItem[][] = [[], [], []];
    const handles = received.map((items) => open(undefined, items));
    await Promise.all(handles.map((h) => h.start()));

    const first = await hub.publish('c', { data: 1 });
    await hub.publish('c', { data: 2 }, { idempotencyKey: 'k' });
    await hub.publish('c', { data: 2 }, { idempotencyKey: 'k' });
    expect(received.map((items) => items.filter((i) => i.kind === 'event').length)).toEqual([2, 2, 2]);
    const delivered = metrics.calls.filter(([name]) => name === 'delivered');
    expect(delivered).toEqual([
      ['delivered', 'c', 3, expect.any(Number)],
      ['delivered', 'c', 3, expect.any(Number)],
    ]);
    expect(metrics.calls.filter(([name]) => name === 'published').map(([, , outcome]) => outcome)).toEqual(['accepted', 'accepted', 'duplicate']);

    // A stream resuming from the first event is replayed one; an unknown position is reset.
    const resumed = open(first.id);
    await resumed.start();
    const lost = open('no-such-position');
    await lost.start();
    expect(metrics.calls.filter(([name]) => name === 'replayed' || name === 'reset')).toEqual([
      ['replayed', 1],
      ['reset', 'unknown', 1],
    ]);
    [...handles, resumed, lost].forEach((h) => h.close());
    await broker.close();
  });
});

describe('SseModule.forRoot({ metrics })', () => {
  it('provides the prom-client metrics and their registry when on, the no-op and null when off', async () => {
    const on = await Test.createTestingModule({ imports: [SseModule.forRoot({ metrics: { channels: ['orders.*'] } })] }).compile();
    const metrics = on.get(SseMetrics);
    expect(metrics).toBeInstanceOf(PrometheusSseMetrics);
    expect(on.get(SSE_METRICS_REGISTRY)).toBe((metrics as PrometheusSseMetrics).registry);
    expect(await (metrics as PrometheusSseMetrics).registry.metrics()).toContain('process_cpu_user_seconds_total');
    await on.close();

    const registry = new Registry();
    const given = await Test.createTestingModule({ imports: [SseModule.forRoot({ metrics: { registry, defaultMetrics: false } })] }).compile();
    expect(given.get(SSE_METRICS_REGISTRY)).toBe(registry);
    expect(registry.getSingleMetric('sse_streams_open')).toBeDefined();
    await given.close();

    const off = await Test.createTestingModule({ imports: [SseModule.forRoot({})] }).compile();
    expect(off.get(SseMetrics)).toBe(NOOP_SSE_METRICS);
    expect(off.get(SSE_METRICS_REGISTRY)).toBeNull();
    await off.close();
  });

  it('refuses a channel pattern outside the pattern language', () => {
    expect(() => resolveSseOptions({ metrics: { channels: ['orders.**.eu'] } })).toThrow(InvalidSseOptionsError);
    expect(() => resolveSseOptions({ metrics: { channels: ['orders.**.eu'] } })).toThrow(/metrics\.channels has pattern "orders\.\*\*\.eu": \*\* may only be the last segment/);
    expect(resolveSseOptions({ metrics: true }).metrics).toEqual({ registry: undefined, channels: [], defaultMetrics: true });
    expect(resolveSseOptions({}).metrics).toBeUndefined();
  });
});
