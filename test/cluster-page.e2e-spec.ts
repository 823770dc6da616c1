import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';
import { startGatewayProcess, type GatewayProcess } from './support/gateway-process.js';
import { eventually } from './support/ports.js';
import { startRedis, type RedisServer } from './support/redis-server.js';
import { openStream, post, request, type TestStream } from './support/sse-client.js';

const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];
const BROWSER_ACCEPT = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';
const INTERVAL_MS = 200;

interface ClusterJson {
  self: string;
  instances: { id: string; connections: number; seenAt: number; self: boolean; deliveryRate: number; lagMs: number | null; lagMaxMs: number | null }[];
  total: number;
  mean: number;
  spread: number | null;
  shedByThisInstance: number;
  deliveryRate: number;
  rebalancing: { state: string; pausedUntil: number | null; backoffs: number };
}

// GET /cluster with two gateway processes on one redis-server: JSON for programs, a live page
// for a browser (checked in Debian's Chromium), and SSE_DEMO=false switching the pages off.
describe('the cluster view', () => {
  let redis: RedisServer;
  let gateways: GatewayProcess[];
  const streams: TestStream[] = [];

  beforeAll(async () => {
    redis = await startRedis();
    // A ratio no test reaches: the uneven streams here stay put (a test stream does not come back).
    const env = { REDIS_URL: redis.url, SSE_KEY_PREFIX: 'view:', SSE_PRESENCE_INTERVAL_MS: String(INTERVAL_MS), SSE_REBALANCE_RATIO: '100' };
    gateways = await Promise.all([startGatewayProcess({ ...env, INSTANCE_ID: 'gw-1' }), startGatewayProcess({ ...env, INSTANCE_ID: 'gw-<2>' })]);
  }, 30_000);
  afterEach(() => streams.splice(0).forEach((s) => s.close()));
  afterAll(async () => {
    await Promise.all((gateways ?? []).map((g) => g.stop()));
    await redis?.stop();
  });

  const json = (gateway: GatewayProcess, accept?: string) =>
    request<ClusterJson>('GET', `${gateway.url}/cluster`, { headers: accept ? { accept } : {} });

  it('answers JSON by default and to application/json, with the instances, their streams, delivery rate and lag', async () => {
    const [one, two] = gateways as [GatewayProcess, GatewayProcess];
    for (let i = 0; i < 2; i++) streams.push(await openStream(`${one.url}/channels/view/events`));
    streams.push(await openStream(`${two.url}/channels/view/events`));
    await eventually(async () => (await json(two)).body.total === 3, 5000, 'three streams in the view');

    // Events all along, so that every report interval of each instance holds some.
    let publishing = true;
    const publisher = (async () => {
      while (publishing) await post(`${two.url}/channels/view/events`, { data: { at: Date.now() } });
    })();
    // A report whose whole window had events: sent two intervals after the first event or later.
    const fullWindowsFrom = Date.now() + 2 * INTERVAL_MS;
    const answer = await eventually(async () => {
      const got = await json(two);
      return got.body.instances.every((i) => i.deliveryRate > 0 && i.seenAt >= fullWindowsFrom && Date.now() - i.seenAt < 2 * INTERVAL_MS) ? got : null;
    }, 10_000, 'a delivery rate on both instances').finally(async () => {
      publishing = false;
      await publisher;
    });

    expect(answer.status).toBe(200);
    expect(answer.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(answer.headers.vary).toBe('Accept');
    expect(answer.headers['cache-control']).toBe('no-cache');
    const view = answer.body;
    expect(Object.keys(view).sort()).toEqual(['deliveryRate', 'instances', 'mean', 'rebalancing', 'self', 'shedByThisInstance', 'spread', 'total']);
    expect(view).toMatchObject({ self: 'gw-<2>', total: 3, mean: 1.5, spread: 2, shedByThisInstance: 0, rebalancing: { state: 'idle', pausedUntil: null, backoffs: 0 } });
    expect(view.instances.map(({ id, connections, self }) => ({ id, connections, self }))).toEqual([
      { id: 'gw-1', connections: 2, self: false },
      { id: 'gw-<2>', connections: 1, self: true },
    ]);
    for (const instance of view.instances) {
      expect(Object.keys(instance).sort()).toEqual(['connections', 'deliveryRate', 'id', 'lagMaxMs', 'lagMs', 'seenAt', 'self']);
      expect(instance.lagMs).toEqual(expect.any(Number));
      expect(instance.lagMs!).toBeGreaterThanOrEqual(0);
      expect(instance.lagMaxMs!).toBeGreaterThanOrEqual(instance.lagMs!);
      expect(instance.lagMaxMs!).toBeLessThan(2000);
      expect(Date.now() - instance.seenAt).toBeLessThan(5 * INTERVAL_MS);
    }
    // Two subscribers on gw-1 get each event: about twice the rate of gw-<2>'s one.
    const [rateOne, rateTwo] = view.instances.map((i) => i.deliveryRate) as [number, number];
    expect(rateOne / rateTwo).toBeGreaterThan(1.2);
    expect(view.deliveryRate).toBeCloseTo(rateOne + rateTwo, 0);

    expect((await json(one, 'application/json')).body.self).toBe('gw-1');
    expect((await json(one, 'text/plain')).headers['content-type']).toBe('application/json; charset=utf-8');
  }, 30_000);

  it('answers a browser with the page, the instance escaped, and serves its script and style', async () => {
    const page = await json(gateways[1]!, BROWSER_ACCEPT);
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.headers.vary).toBe('Accept');
    expect(page.text).toContain('<title>SSE gateway · cluster</title>');
    expect(page.text).toContain('as <span class="mono">gw-&#60;2&#62;</span> sees them');
    expect(page.text).toContain('<script type="module" src="/assets/cluster.js"></script>');
    for (const [file, type] of [
      ['cluster.js', 'text/javascript; charset=utf-8'],
      ['pages.css', 'text/css; charset=utf-8'],
      ['cluster.css', 'text/css; charset=utf-8'],
    ]) {
      const asset = await request('GET', `${gateways[1]!.url}/assets/${file}`);
      expect({ file, status: asset.status, type: asset.headers['content-type'] }).toEqual({ file, status: 200, type });
    }
  });

  it('shows the instances in a real browser and follows them live', async () => {
    const profile = mkdtempSync(path.join(tmpdir(), 'sse-cluster-page-'));
    let context: BrowserContext | undefined;
    try {
      context = await chromium.launchPersistentContext(profile, { executablePath: process.env.CHROMIUM_BIN ?? '/usr/bin/chromium', headless: true, args: CHROMIUM_ARGS });
      const page = await context.newPage();
      await page.goto(`${gateways[0]!.url}/cluster`);
      const rows = () =>
        page.$$eval('#rows tr', (trs) => trs.map((tr) => [(tr as HTMLElement).dataset.instance, tr.children[1]!.textContent, tr.classList.contains('self')]));
      await eventually(async () => JSON.stringify(await rows()) === JSON.stringify([['gw-1', '0', true], ['gw-<2>', '0', false]]), 10_000, 'two rows with no stream');
      expect(await page.locator('#status').innerText()).toBe('live');

      streams.push(await openStream(`${gateways[1]!.url}/channels/view/events`), await openStream(`${gateways[1]!.url}/channels/view/events`));
      await eventually(async () => JSON.stringify(await rows()) === JSON.stringify([['gw-1', '0', true], ['gw-<2>', '2', false]]), 10_000, 'the new streams on the page');
      await eventually(async () => (await page.locator('#total').innerText()) === '2', 5000, 'the total');
      expect(await page.locator('#rebalancing').innerText()).toBe('idle');
    } finally {
      await context?.close();
      rmSync(profile, { recursive: true, force: true });
    }
  }, 60_000);
});

describe('SSE_DEMO=false', () => {
  let gateway: GatewayProcess;

  beforeAll(async () => {
    gateway = await startGatewayProcess({ SSE_DEMO: 'false' });
  }, 30_000);
  afterAll(() => gateway?.stop());

  it('answers 404 for the demo page, its assets and the cluster page, as for a route that does not exist', async () => {
    for (const [url, accept] of [
      ['/', BROWSER_ACCEPT],
      ['/assets/demo.js', '*/*'],
      ['/assets/sse-client.js', '*/*'],
      ['/assets/cluster.js', '*/*'],
      ['/cluster', BROWSER_ACCEPT],
      ['/cluster', 'text/html'],
    ] as const) {
      const answer = await request('GET', `${gateway.url}${url}`, { headers: { accept } });
      expect({ url, accept, status: answer.status, body: answer.body }).toEqual({
        url,
        accept,
        status: 404,
        body: { statusCode: 404, error: 'Not Found', message: `Cannot GET ${url}` },
      });
    }
  });

  it('keeps the JSON cluster view: operations read it', async () => {
    const answer = await request<ClusterJson>('GET', `${gateway.url}/cluster`);
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ self: gateway.instanceId, total: 0, instances: [{ id: gateway.instanceId, connections: 0, self: true }] });
    expect((await request('GET', `${gateway.url}/cluster`, { headers: { accept: 'application/json' } })).status).toBe(200);
  });
});
