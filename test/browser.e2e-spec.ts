import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { startGatewayProcess, type GatewayProcess } from './support/gateway-process.js';
import { startNginx, type Nginx } from './support/nginx.js';
import { eventually } from './support/ports.js';
import { startRedis, type RedisServer } from './support/redis-server.js';
import { post, request } from './support/sse-client.js';

const ARTIFACTS = path.resolve('test-artifacts');
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'];

interface Row {
  readonly id: string;
  readonly channel: string;
  readonly event: string;
  readonly data: string;
}

/** The demo page's event log, oldest first, as the user sees it. */
const rows = (page: Page): Promise<Row[]> =>
  page.$$eval('#log tr', (trs) =>
    trs
      .map((tr) => ({
        id: (tr as HTMLElement).dataset.id!,
        channel: (tr as HTMLElement).dataset.channel!,
        event: (tr as HTMLElement).dataset.event!,
        data: tr.querySelector('td.data')!.textContent!,
      }))
      .reverse(),
  );
const text = (page: Page, selector: string) => page.locator(selector).innerText();

// The demo page in Debian's Chromium, through the shipped nginx configuration in front of
// two gateway processes sharing one redis-server.
describe('the demo page in a real browser', () => {
  let redis: RedisServer;
  let gateways: GatewayProcess[];
  let nginx: Nginx;
  let context: BrowserContext;
  let profile: string;

  const openStreams = async () => {
    let sum = 0;
    for (const gateway of gateways) {
      if (gateway.child.exitCode !== null || gateway.child.signalCode !== null) continue;
      sum += (await request<{ connections: { open: number } }>('GET', `${gateway.url}/health`)).body.connections.open;
    }
    return sum;
  };
  const publish = async (gateway: GatewayProcess, channel: string, data: unknown) => {
    const answer = await post(`${gateway.url}/channels/${channel}/events`, { event: 'note', data });
    expect(answer.status).toBe(201);
    return answer.body.id as string;
  };
  const openPage = async (query: string) => {
    const page = await context.newPage();
    await page.goto(`${nginx.url}/${query}`);
    await eventually(async () => (await page.locator('#status').getAttribute('data-status')) === 'open', 20_000, 'page stream open');
    return page;
  };

  beforeAll(async () => {
    redis = await startRedis();
    const env = { REDIS_URL: redis.url, SSE_KEY_PREFIX: `browser-${Date.now()}:`, SSE_RETRY_MS: '500', SSE_DRAIN_MS: '200' };
    gateways = await Promise.all([startGatewayProcess({ ...env }), startGatewayProcess({ ...env })]);
    nginx = await startNginx({ upstreams: gateways.map((g) => `127.0.0.1:${g.port}`) });
    profile = mkdtempSync(path.join(tmpdir(), 'sse-chromium-'));
    context = await chromium.launchPersistentContext(profile, {
      executablePath: process.env.CHROMIUM_BIN ?? '/usr/bin/chromium',
      headless: true,
      args: CHROMIUM_ARGS,
      viewport: { width: 1280, height: 860 },
    });
  }, 90_000);
  afterAll(async () => {
    await context?.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
    await nginx?.stop();
    await Promise.all((gateways ?? []).map((g) => g.stop()));
    await redis?.stop();
  }, 60_000);

  it('three tabs share one stream, and each gets every event once, in order', async () => {
    const tabs = [await openPage('?channel=tabs'), await openPage('?channel=tabs'), await openPage('?channel=tabs')];
    for (const tab of tabs) expect(await text(tab, '#sharing')).toBe('one stream (SharedWorker)');
    expect(await openStreams()).toBe(1);

    // One event from the page's own form, the rest from outside, alternating instances.
    await tabs[1]!.locator('#publish-data').fill('{"n": 0}');
    await tabs[1]!.locator('#publish-form button[type=submit]').click();
    await eventually(async () => /^stored as /.test(await text(tabs[1]!, '#publish-result')), 10_000, 'form publish');
    const ids = [(await text(tabs[1]!, '#publish-result')).replace('stored as ', '')];
    for (let n = 1; n < 8; n++) ids.push(await publish(gateways[n % 2]!, 'tabs', { n }));
    const expected = ids.map((id, n) => ({ id, channel: 'tabs', event: 'note', data: JSON.stringify({ n }) }));
    for (const tab of tabs) {
      await eventually(async () => (await rows(tab)).length >= 8, 15_000, 'all events in a tab');
    }
    await new Promise((r) => setTimeout(r, 300));
    for (const tab of tabs) expect(await rows(tab)).toEqual(expected);
    expect(await openStreams()).toBe(1);

    // A tab closes: the others keep the one stream; the last one gone closes it.
    await tabs[0]!.close();
    const more = await publish(gateways[0]!, 'tabs', { n: 8 });
    for (const tab of tabs.slice(1)) {
      await eventually(async () => (await rows(tab)).length === 9, 10_000, 'event after a tab closed');
      expect((await rows(tab)).map((r) => r.id)).toEqual([...ids, more]);
    }
    expect(await openStreams()).toBe(1);
    await Promise.all(tabs.slice(1).map((tab) => tab.close()));
    await eventually(async () => (await openStreams()) === 0, 10_000, 'no stream left once every tab is closed');
  }, 120_000);

  it('without a SharedWorker: a leader tab relays to the others, and hands over without loss or repeat when it closes', async () => {
    const tabs = [await openPage('?channel=lead&shared=leader'), await openPage('?channel=lead&shared=leader'), await openPage('?channel=lead&shared=leader')];
    await eventually(async () => (await Promise.all(tabs.map((t) => text(t, '#sharing')))).filter((l) => l === 'one stream (this tab leads)').length === 1, 10_000, 'one leader');
    const labels = await Promise.all(tabs.map((t) => text(t, '#sharing')));
    expect(labels.sort()).toEqual(['one stream (another tab leads)', 'one stream (another tab leads)', 'one stream (this tab leads)']);
    expect(await openStreams()).toBe(1);

    const ids: string[] = [];
    for (let n = 0; n < 5; n++) ids.push(await publish(gateways[n % 2]!, 'lead', { n }));
    for (const tab of tabs) await eventually(async () => (await rows(tab)).length === 5, 15_000, 'events relayed to every tab');

    // The leader goes; events keep coming while another tab takes over.
    const leaderIndex = (await Promise.all(tabs.map((t) => text(t, '#sharing')))).indexOf('one stream (this tab leads)');
    const closing = tabs[leaderIndex]!.close();
    for (let n = 5; n < 10; n++) ids.push(await publish(gateways[n % 2]!, 'lead', { n }));
    await closing;
    const rest = tabs.filter((_, i) => i !== leaderIndex);
    await eventually(async () => (await Promise.all(rest.map((t) => text(t, '#sharing')))).includes('one stream (this tab leads)'), 15_000, 'a new leader');
    for (let n = 10; n < 13; n++) ids.push(await publish(gateways[n % 2]!, 'lead', { n }));
    for (const tab of rest) await eventually(async () => (await rows(tab)).length >= 13, 20_000, 'every event after the hand-over');
    await new Promise((r) => setTimeout(r, 500));
    for (const tab of rest) {
      expect((await rows(tab)).map((r) => [r.id, JSON.parse(r.data).n])).toEqual(ids.map((id, n) => [id, n]));
    }
    await eventually(async () => (await openStreams()) === 1, 10_000, 'one stream after the hand-over');
    await Promise.all(rest.map((tab) => tab.close()));
    await eventually(async () => (await openStreams()) === 0, 10_000, 'no stream left');
  }, 120_000);

  it('the instance it is on is killed: the page reconnects and ends with every event once, in order', async () => {
    const page = await openPage('?channel=orders&channel=payments');
    const instance = await text(page, '#stream-instance');
    const victim = gateways.find((g) => g.instanceId === instance);
    expect(victim).toBeDefined();
    const survivor = gateways.find((g) => g !== victim)!;
    expect(await text(page, '#page-instance')).toMatch(/^gw-\d+$/);

    const published: { channel: string; n: number }[] = [];
    const send = async (n: number) => {
      const channel = n % 3 === 0 ? 'payments' : 'orders';
      await publish(survivor, channel, { n });
      published.push({ channel, n });
    };
    for (let n = 0; n < 6; n++) await send(n);
    await eventually(async () => (await rows(page)).length === 6, 15_000, 'first events');

    await victim!.kill();
    // Published while the page has lost its instance and looks for another.
    for (let n = 6; n < 12; n++) await send(n);
    await eventually(async () => (await text(page, '#stream-instance')) === survivor.instanceId, 20_000, 'page moved to the survivor');
    for (let n = 12; n < 15; n++) await send(n);
    await eventually(async () => (await rows(page)).length >= 15, 20_000, 'every event after the kill');
    await new Promise((r) => setTimeout(r, 500));

    const seen = await rows(page);
    // Order is per channel (a replay after the move sends each channel's missed events in turn).
    for (const channel of ['orders', 'payments']) {
      const got = seen.filter((r) => r.channel === channel).map((r) => JSON.parse(r.data).n as number);
      expect({ channel, got }).toEqual({ channel, got: published.filter((p) => p.channel === channel).map((p) => p.n) });
    }
    expect(seen).toHaveLength(15);
    expect(new Set(seen.map((r) => r.id)).size).toBe(15);
    expect(await page.locator('#status').getAttribute('data-status')).toBe('open');

    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: path.join(ARTIFACTS, 'demo-page.png'), fullPage: true });
    await page.setViewportSize({ width: 390, height: 844 });
    await page.screenshot({ path: path.join(ARTIFACTS, 'demo-page-narrow.png'), fullPage: true });
    await page.close();
  }, 120_000);
});
