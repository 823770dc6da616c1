import { Controller, Injectable, Module, Sse, SseSignal, type INestApplication, type MessageEvent } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import type { AddressInfo } from 'node:net';
import type { Observable } from 'rxjs';
import { SseHub, SseModule, type Channel } from '../src/sse/index.js';
import { getChannelToken } from '../src/sse/internals.js';
import { OrdersModule, type OrderEvents } from './fixtures/orders.module.js';
import { sleep } from './support/ports.js';
import { openStream, post, type TestStream } from './support/sse-client.js';

// The module as an application uses it: forRoot/forRootAsync, forFeature, @InjectChannel, @Sse.
describe('SseModule in an application', () => {
  let app: INestApplication;
  let url: string;
  const streams: TestStream[] = [];

  @Injectable()
  class HistorySettings {
    readonly historyLimit = 50;
    readonly retryMs = 1500;
  }

  @Module({ providers: [HistorySettings], exports: [HistorySettings] })
  class SettingsModule {}

  /** The signal each stream request of this handler was given, in order. */
  const signals: AbortSignal[] = [];

  @Controller('signals')
  class SignalsController {
    constructor(private readonly hub: SseHub) {}

    @Sse('stream')
    stream(@SseSignal() signal: AbortSignal): Observable<MessageEvent> {
      signals.push(signal);
      return this.hub.stream(['signals']);
    }
  }

  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [
        SseModule.forRootAsync({
          imports: [SettingsModule],
          inject: [HistorySettings],
          useFactory: (settings: HistorySettings) => ({ historyLimit: settings.historyLimit, retryMs: settings.retryMs }),
        }),
        OrdersModule,
      ],
      controllers: [SignalsController],
    }).compile();
    app = moduleRef.createNestApplication({ logger: ['error'] });
    await app.listen(0, '127.0.0.1');
    url = `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;
  });
  afterEach(() => streams.splice(0).forEach((s) => s.close()));
  afterAll(() => app.close());

  it('injects the same channel the hub serves by name', () => {
    const injected = app.get<Channel<OrderEvents>>(getChannelToken('orders'));
    expect(injected.name).toBe('orders');
    expect(app.get(SseHub).channel('orders').name).toBe('orders');
  });

  it('streams through @Sse(): retry and position first, typed events with their real ids', async () => {
    const stream = await openStream(`${url}/orders/stream`);
    streams.push(stream);
    await stream.waitUntil(() => stream.parser.retry !== undefined);
    expect(stream.parser.retry).toBe(1500);
    const created = await post(`${url}/orders`, { id: 'o-1', total: 12.5 });
    expect(created.status).toBe(201);
    const [event] = await stream.waitForEvents(1);
    expect(event).toEqual({ type: 'order.created', data: '{"id":"o-1","total":12.5}', lastEventId: created.body.id });
  });

  it('replays after Last-Event-ID through @Sse() with no duplicate', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) ids.push((await post(`${url}/orders`, { id: `r-${i}`, total: i })).body.id);
    const stream = await openStream(`${url}/orders/stream`, { 'last-event-id': ids[0]! });
    streams.push(stream);
    const replayed = await stream.waitForEvents(3);
    expect(replayed.map((e) => e.lastEventId)).toEqual(ids.slice(1));
    const live = (await post(`${url}/orders`, { id: 'r-live', total: 0 })).body.id;
    const events = await stream.waitForEvents(4);
    expect(events[3]!.lastEventId).toBe(live);
    // Nest numbers frames that lack an id itself; none of ours may reach the client as 1, 2, 3.
    expect(stream.text()).not.toMatch(/^id: \d+$/m);
  });

  it("gives the handler's @SseSignal() the stream's lifetime: aborted when the client leaves, not when the stream is handed over", async () => {
    const stream = await openStream(`${url}/signals/stream`);
    await stream.waitUntil(() => stream.parser.lastEventId !== '');
    expect(signals).toHaveLength(1);
    const [signal] = signals;
    await sleep(200);
    expect(signal!.aborted).toBe(false);
    const aborted = new Promise((resolve) => signal!.addEventListener('abort', resolve));
    stream.close();
    await aborted;
    expect(signal!.reason).toMatchObject({ name: 'AbortError' });
  });

  it('fails at start with a clear message when forRoot is missing', async () => {
    await expect(Test.createTestingModule({ imports: [OrdersModule] }).compile()).rejects.toThrow(
      /SseModule\.forFeature\(\) needs SseModule\.forRoot\(\)/,
    );
  });
});
