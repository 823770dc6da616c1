import 'zone.js';
import { Injector, NgZone, runInInjectionContext, type EnvironmentInjector } from '@angular/core';
import type { ChannelEvent, ConnectionState } from '../src/client/index.js';
import { SseService, provideSse } from '../src/client/angular/index.js';
import { startGatewayProcess, type GatewayProcess } from './support/gateway-process.js';
import { eventually } from './support/ports.js';
import { post, request } from './support/sse-client.js';

type Chat = { said: { who: string; text: string } };

// The Angular service, with a real NgZone (zone.js), against a real gateway process.
describe('SseService (Angular)', () => {
  let gateway: GatewayProcess;
  let injector: EnvironmentInjector;
  let sse: SseService;
  const openStreams = async () => (await request<{ connections: { open: number } }>('GET', `${gateway.url}/health`)).body.connections.open;
  const publish = async (channel: string, text: string) => {
    const answer = await post(`${gateway.url}/channels/${channel}/events`, { event: 'said', data: { who: 'ann', text } });
    expect(answer.status).toBe(201);
    return answer.body.id as string;
  };

  beforeAll(async () => {
    gateway = await startGatewayProcess({ SSE_RETRY_MS: '200' });
  }, 30_000);
  beforeEach(() => {
    injector = Injector.create({
      providers: [provideSse({ baseUrl: gateway.url, backoff: { initialMs: 100 }, lingerMs: 0 }), { provide: NgZone, useFactory: () => new NgZone({}) }],
    }) as EnvironmentInjector;
    sse = injector.get(SseService);
  });
  afterEach(() => {
    if (!(injector as EnvironmentInjector & { destroyed: boolean }).destroyed) injector.destroy();
  });
  afterAll(() => gateway?.stop());

  it('delivers events and state inside the Angular zone, and closes the stream on unsubscribe', async () => {
    const events: [boolean, ChannelEvent<Chat>][] = [];
    const states: [boolean, ConnectionState][] = [];
    const a = sse.events<Chat>('chat').subscribe((e) => events.push([NgZone.isInAngularZone(), e]));
    const b = sse.state('chat').subscribe((s) => states.push([NgZone.isInAngularZone(), s]));
    await eventually(() => states.some(([, s]) => s.status === 'open'), 10_000, 'open');
    expect(states.find(([, s]) => s.status === 'open')![1].instance).toBe(gateway.instanceId);
    expect(await openStreams()).toBe(1);

    const ids = [await publish('chat', 'hi'), await publish('chat', 'there')];
    await eventually(() => events.length === 2, 10_000, '2 events');
    expect(events).toEqual([
      [true, { channel: 'chat', event: 'said', id: ids[0], data: { who: 'ann', text: 'hi' } }],
      [true, { channel: 'chat', event: 'said', id: ids[1], data: { who: 'ann', text: 'there' } }],
    ]);
    expect(states.every(([inZone]) => inZone)).toBe(true);

    a.unsubscribe();
    b.unsubscribe();
    await eventually(async () => (await openStreams()) === 0, 10_000, 'stream closed');
  });

  it('latest(): a signal of the newest event, released with its injector', async () => {
    const latest = runInInjectionContext(injector, () => sse.latest<Chat>('signal-chat'));
    expect(latest()).toBeUndefined();
    await eventually(async () => (await openStreams()) === 1, 10_000, 'stream open');
    const id = await publish('signal-chat', 'newest');
    await eventually(() => latest()?.id === id, 10_000, 'signal updated');
    expect(latest()).toEqual({ channel: 'signal-chat', event: 'said', id, data: { who: 'ann', text: 'newest' } });
    injector.destroy();
    await eventually(async () => (await openStreams()) === 0, 10_000, 'stream closed with the injector');
  });
});
