/**
 * @jest-environment ./test/support/jsdom-fetch.environment.cjs
 */
import { renderHook, waitFor } from '@testing-library/react';
import { StrictMode, createElement, type ReactNode } from 'react';
import { SseClient } from '../src/client/index.js';
import { useChannel } from '../src/client/react/index.js';
import { startGatewayProcess, type GatewayProcess } from './support/gateway-process.js';
import { post, request } from './support/sse-client.js';

type Prices = { quote: { symbol: string; price: number } };

// The hook in a DOM (jsdom), under React's strict mode, against a real gateway process.
describe('useChannel (React)', () => {
  let gateway: GatewayProcess;
  let client: SseClient;
  const openStreams = async () => (await request<{ connections: { open: number } }>('GET', `${gateway.url}/health`)).body.connections.open;
  const publish = async (channel: string, n: number) => {
    const answer = await post(`${gateway.url}/channels/${channel}/events`, { event: 'quote', data: { symbol: 'ACME', price: n } });
    expect(answer.status).toBe(201);
    return answer.body.id as string;
  };
  const strict = ({ children }: { children: ReactNode }) => createElement(StrictMode, null, children);

  beforeAll(async () => {
    // Updates come from real network reads, not from act(): tell React this is not an act() environment.
    (globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = false;
    gateway = await startGatewayProcess({ SSE_RETRY_MS: '200' });
  }, 30_000);
  beforeEach(() => {
    client = new SseClient({ baseUrl: gateway.url, backoff: { initialMs: 100 } });
  });
  afterEach(() => client.close());
  afterAll(() => gateway?.stop());

  it('runs in a DOM environment with no SharedWorker: the page holds its own stream', () => {
    expect(typeof document).toBe('object');
    expect(client.shared).toBe(false);
  });

  it('gives the latest event, a bounded list and the state; strict mode opens one stream', async () => {
    const { result, unmount } = renderHook(() => useChannel<Prices>(client, 'prices', { limit: 3 }), { wrapper: strict });
    await waitFor(() => expect(result.current.state.status).toBe('open'), { timeout: 10_000 });
    expect(result.current.state.instance).toBe(gateway.instanceId);
    expect(result.current.events).toEqual([]);
    expect(await openStreams()).toBe(1);

    const ids: string[] = [];
    for (let n = 1; n <= 5; n++) ids.push(await publish('prices', n));
    await waitFor(() => expect(result.current.last?.id).toBe(ids[4]), { timeout: 10_000 });
    expect(result.current.events.map((e) => [e.id, e.event, e.data])).toEqual([
      [ids[2], 'quote', { symbol: 'ACME', price: 3 }],
      [ids[3], 'quote', { symbol: 'ACME', price: 4 }],
      [ids[4], 'quote', { symbol: 'ACME', price: 5 }],
    ]);
    expect(await openStreams()).toBe(1);

    unmount();
    await waitFor(async () => expect(await openStreams()).toBe(0), { timeout: 10_000 });
  });

  it('follows a change of channel and stays idle while disabled', async () => {
    const { result, rerender, unmount } = renderHook(
      ({ channel, enabled }: { channel: string; enabled: boolean }) => useChannel(client, channel, { enabled }),
      { initialProps: { channel: 'first', enabled: false }, wrapper: strict },
    );
    await new Promise((r) => setTimeout(r, 300));
    expect(result.current.state.status).toBe('closed');
    expect(await openStreams()).toBe(0);

    rerender({ channel: 'first', enabled: true });
    await waitFor(() => expect(result.current.state.status).toBe('open'), { timeout: 10_000 });
    rerender({ channel: 'second', enabled: true });
    await waitFor(() => expect(result.current.state.status).toBe('open'), { timeout: 10_000 });
    const id = await publish('second', 7);
    await waitFor(() => expect(result.current.events.map((e) => e.id)).toEqual([id]), { timeout: 10_000 });
    expect(result.current.last).toEqual({ channel: 'second', event: 'quote', id, data: { symbol: 'ACME', price: 7 } });
    await waitFor(async () => expect(await openStreams()).toBe(1), { timeout: 10_000 });
    unmount();
    await waitFor(async () => expect(await openStreams()).toBe(0), { timeout: 10_000 });
  });
});
