import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { requestLines } from './support/access-log.js';
import { startGatewayProcess, type GatewayProcess } from './support/gateway-process.js';
import { eventually, sleep } from './support/ports.js';
import { post, request } from './support/sse-client.js';
import { startStaticServer, type StaticServer } from './support/static-server.js';
import { signToken, TEST_SECRET } from './support/tokens.js';

const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'];
/** Every token the pages get expires this many seconds after it is made (whole seconds: 1-2 s of life left). */
const TOKEN_LIFE_S = 2;

/**
 * A bare page that loads the client's browser bundle from its own origin's `/assets` (so
 * its SharedWorker is that origin's `shared-worker.js`) and records what it gets.
 * `window.mintToken` is bound by the test: a fresh token from the test process each call.
 * Query: `shared=leader`, `getToken=0` (none), `credentials=include`, `base=<gateway url>`.
 */
const PAGE = `<!doctype html><meta charset="utf-8"><title>client auth</title>
<script type="module">
  import { SseClient } from '/assets/sse-client.js';
  const params = new URLSearchParams(location.search);
  const options = { shared: params.get('shared') === 'leader' ? 'leader' : true, backoff: { initialMs: 200, maxMs: 2000 } };
  if (params.get('getToken') !== '0') {
    options.getToken = async () => {
      window.harness.tokenCalls += 1;
      return window.mintToken();
    };
  }
  if (params.get('credentials')) options.credentials = params.get('credentials');
  if (params.get('base')) options.baseUrl = params.get('base');
  const client = new SseClient(options);
  window.harness = {
    tokenCalls: 0,
    events: [],
    states: [],
    sharing: () => client.sharing,
    leading: () => client.leading,
    subscribe(channel) {
      const channel$ = client.channel(channel);
      channel$.events$.subscribe((e) => this.events.push({ id: e.id, event: e.event, n: e.data.n }));
      channel$.state$.subscribe((s) => this.states.push({ status: s.status, error: s.error }));
    },
    publish: (channel, n) => client.publish(channel, 'note', { n }),
  };
</script>`;

interface Harness {
  tokenCalls: number;
  events: { id: string; event: string; n: number }[];
  states: { status: string; error: string | null }[];
  sharing(): string;
  leading(): boolean;
  subscribe(channel: string): void;
  publish(channel: string, n: number): Promise<string>;
}
declare const harness: Harness;

const events = (tab: Page) => tab.evaluate(() => harness.events);
const states = (tab: Page) => tab.evaluate(() => harness.states);
const status = async (tab: Page) => (await states(tab)).at(-1)?.status;

// The client's authorization in Debian's Chromium, against a gateway process with
// authorization on, its access log counting every request the browser makes.
describe('the browser client with authorization, tabs sharing streams', () => {
  let gateway: GatewayProcess;
  let context: BrowserContext;
  let profile: string;
  let publisherToken: string;
  /** The application's own origin (same site, another port): serves the page and the client's bundle. */
  let app: StaticServer;
  const pages: Page[] = [];

  const openTab = async (query = '', origin = gateway.url) => {
    const tab = await context.newPage();
    pages.push(tab);
    await tab.goto(`${origin}/client-auth.html${query}`);
    await tab.waitForFunction(() => typeof (window as { harness?: unknown }).harness === 'object');
    return tab;
  };
  const publishFromOutside = async (channel: string, n: number) => {
    const answer = await post(`${gateway.url}/channels/${channel}/events`, { event: 'note', data: { n } }, { authorization: `Bearer ${publisherToken}` });
    expect(answer.status).toBe(201);
    return answer.body.id as string;
  };
  const openStreams = async () => (await request<{ connections: { open: number } }>('GET', `${gateway.url}/health`)).body.connections.open;
  /** The browser's requests from now on, as the gateway logged them (health probes left out). */
  const logFrom = () => {
    const start = requestLines(gateway.output()).length;
    return () => requestLines(gateway.output()).slice(start).filter((l) => !l.startsWith('GET /health'));
  };

  beforeAll(async () => {
    publisherToken = await signToken({ sse: { publish: ['auth.**'] } }, { sub: 'publisher' });
    app = await startStaticServer((file) => {
      if (file === '/client-auth.html') return { type: 'text/html; charset=utf-8', body: PAGE };
      const asset = /^\/assets\/(sse-client|shared-worker)\.js$/.exec(file);
      return asset ? { type: 'text/javascript; charset=utf-8', body: readFileSync(path.resolve('dist/public', `${asset[1]}.js`)) } : undefined;
    });
    gateway = await startGatewayProcess({
      SSE_CORS_ORIGINS: app.url,
      SSE_JWT_SECRET: TEST_SECRET,
      SSE_JWT_CLOCK_TOLERANCE_S: '0',
      SSE_ACCESS_LOG: 'true',
      SSE_RETRY_MS: '500',
      SSE_HEARTBEAT_MS: '1000',
      SSE_DRAIN_MS: '200',
    });
    profile = mkdtempSync(path.join(tmpdir(), 'sse-chromium-auth-'));
    context = await chromium.launchPersistentContext(profile, {
      executablePath: process.env.CHROMIUM_BIN ?? '/usr/bin/chromium',
      headless: true,
      args: CHROMIUM_ARGS,
    });
    await context.route((url) => url.pathname === '/client-auth.html' && url.origin === gateway.url, (route) => route.fulfill({ status: 200, contentType: 'text/html', body: PAGE }));
    // Each call: a token of this user's, good for TOKEN_LIFE_S (the gateway allows no clock skew here).
    await context.exposeFunction('mintToken', () =>
      signToken({ sse: { subscribe: ['auth.**'], publish: ['auth.**'] } }, { sub: 'alice', expIn: TOKEN_LIFE_S }),
    );
  }, 90_000);
  afterEach(async () => {
    await Promise.all(pages.splice(0).map((p) => p.close()));
    // Every stream ended (and logged) before the next test counts requests.
    await eventually(async () => (await openStreams()) === 0, 15_000, 'no stream left');
    await sleep(200);
  }, 30_000);
  afterAll(async () => {
    await context?.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
    await gateway?.stop();
    await app?.stop();
  }, 60_000);

  /**
   * Two tabs on one shared stream while the token expires every 2 s and 30 events are
   * published over ~8 s (some by a tab, with its token): each tab gets all 30, once, in order.
   */
  const thirtyEventsAcrossExpiries = async (channel: string, tabs: Page[], publisher: Page, log: () => string[]) => {
    let maxOpen = 0;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        maxOpen = Math.max(maxOpen, await openStreams());
        await sleep(100);
      }
    })();
    const ids: string[] = [];
    const started = Date.now();
    for (let n = 0; n < 30; n++) {
      ids.push(n % 5 === 4 ? await publisher.evaluate(([c, k]) => harness.publish(c, k), [channel, n] as const) : await publishFromOutside(channel, n));
      await sleep(Math.max(0, started + (n + 1) * 270 - Date.now()));
    }
    const publishMs = Date.now() - started;
    for (const tab of tabs) await eventually(async () => (await events(tab)).length >= 30, 20_000, 'all 30 events in a tab');
    await sleep(500);
    sampling = false;
    await sampler;

    const expected = ids.map((id, n) => ({ id, event: 'note', n }));
    for (const tab of tabs) expect(await events(tab)).toEqual(expected);
    for (const tab of tabs) expect((await states(tab)).map((s) => s.status)).not.toContain('unauthorized');
    expect(publishMs).toBeGreaterThanOrEqual(7500);
    // Shared: never more than one stream at a time for both tabs.
    expect(maxOpen).toBe(1);
    const lines = log();
    const syncs = lines.filter((l) => l === 'POST /sync 200').length;
    const streams = lines.filter((l) => l.startsWith(`GET /channels/${channel}/events`));
    // The token expired at least every 2 s: the stream was renewed (a sync, then a stream) each time, never refused.
    expect(syncs).toBeGreaterThanOrEqual(4);
    expect(streams.every((l) => l.endsWith(' 200'))).toBe(true);
    expect(streams.length).toBeGreaterThanOrEqual(syncs - 1); // the last stream is logged when it ends
    expect(streams.length).toBeLessThanOrEqual(syncs);
    expect(lines.filter((l) => / 40[13]$/.test(l))).toEqual([]);
  };

  /**
   * How many tokens each tab gave, beside the syncs logged so far: read tokens first, so a
   * sync whose token was just given may not be logged yet (at most one: the stream is one).
   */
  const tokensAndSyncs = async (tabs: Page[], log: () => string[]) => {
    const calls = await Promise.all(tabs.map((t) => t.evaluate(() => harness.tokenCalls)));
    const syncs = log().filter((l) => l === 'POST /sync 200').length;
    return { calls, syncs };
  };

  it('through the SharedWorker: the worker asks a tab for each fresh token; each tab gets all 30 events once, in order', async () => {
    const log = logFrom();
    const tabs = [await openTab(), await openTab()];
    for (const tab of tabs) expect(await tab.evaluate(() => harness.sharing())).toBe('worker');
    for (const tab of tabs) await tab.evaluate(() => harness.subscribe('auth.shared'));
    for (const tab of tabs) await eventually(async () => (await status(tab)) === 'open', 15_000, 'open');
    expect(await openStreams()).toBe(1);

    await thirtyEventsAcrossExpiries('auth.shared', tabs, tabs[1]!, log);
    // Every sync's token came from a tab (the worker holds none), plus the six publishes of tabs[1].
    const { calls, syncs } = await tokensAndSyncs(tabs, log);
    expect(calls[0]! + calls[1]! - 6).toBeGreaterThanOrEqual(syncs);
    expect(calls[0]! + calls[1]! - 6).toBeLessThanOrEqual(syncs + 1);
  }, 120_000);

  it('through a leader tab: the leader asks the other tab for the token of its stream; each tab gets all 30 events once, in order; a hand-over goes on', async () => {
    const log = logFrom();
    const tabs = [await openTab('?shared=leader'), await openTab('?shared=leader')];
    await eventually(async () => (await Promise.all(tabs.map((t) => t.evaluate(() => harness.leading())))).filter(Boolean).length === 1, 15_000, 'one leader');
    const leading = await Promise.all(tabs.map((t) => t.evaluate(() => harness.leading())));
    const leader = tabs[leading.indexOf(true)]!;
    const follower = tabs[leading.indexOf(false)]!;
    expect(await follower.evaluate(() => harness.sharing())).toBe('leader');
    // The follower subscribes first: the stream is its, so its tokens travel over the BroadcastChannel.
    await follower.evaluate(() => harness.subscribe('auth.leader'));
    await eventually(async () => (await status(follower)) === 'open', 15_000, 'follower open');
    await leader.evaluate(() => harness.subscribe('auth.leader'));
    await eventually(async () => (await status(leader)) === 'open', 15_000, 'leader open');
    expect(await openStreams()).toBe(1);

    await thirtyEventsAcrossExpiries('auth.leader', [follower, leader], leader, log);
    const { calls, syncs } = await tokensAndSyncs([follower, leader], log);
    expect(calls[0]).toBeGreaterThanOrEqual(syncs);
    expect(calls[0]).toBeLessThanOrEqual(syncs + 1);
    expect(calls[1]).toBe(6); // the leader's own publishes only

    // The leader closes: the follower takes over from its last id, with a token of its own, while events go on.
    const before = (await events(follower)).map((e) => e.id);
    const closing = leader.close();
    const more: string[] = [];
    for (let n = 30; n < 35; n++) {
      more.push(await publishFromOutside('auth.leader', n));
      await sleep(270);
    }
    await closing;
    await eventually(async () => follower.evaluate(() => harness.leading()), 15_000, 'the follower leads');
    await eventually(async () => (await events(follower)).length >= 35, 20_000, 'every event after the hand-over');
    await sleep(500);
    expect((await events(follower)).map((e) => e.id)).toEqual([...before, ...more]);
    expect((await states(follower)).map((s) => s.status)).not.toContain('unauthorized');
    // It asked for a stream token at its position first, rather than knocking without one.
    expect(log().filter((l) => / 40[13]$/.test(l))).toEqual([]);
  }, 120_000);

  it('credentials: the sse_token cookie, from another origin, through the SharedWorker; an expired cookie ends in unauthorized', async () => {
    const cookie = async () =>
      context.addCookies([
        {
          name: 'sse_token',
          value: await signToken({ sse: { subscribe: ['auth.**'] } }, { sub: 'alice', expIn: TOKEN_LIFE_S }),
          domain: '127.0.0.1',
          path: '/',
          httpOnly: true,
          sameSite: 'Strict',
        },
      ]);
    // The app keeps its cookie fresh (a token good for 2 s, renewed every 0.5 s) until told to stop.
    await cookie();
    let refreshing = true;
    const refresher = (async () => {
      while (refreshing) {
        await sleep(500);
        if (refreshing) await cookie().catch(() => (refreshing = false));
      }
    })();
    const log = logFrom();
    const query = `?getToken=0&credentials=include&base=${encodeURIComponent(gateway.url)}`;
    const tabs = [await openTab(query, app.url), await openTab(query, app.url)];
    for (const tab of tabs) expect(await tab.evaluate(() => harness.sharing())).toBe('worker');
    for (const tab of tabs) await tab.evaluate(() => harness.subscribe('auth.cookie'));
    for (const tab of tabs) await eventually(async () => (await status(tab)) === 'open', 15_000, 'open');
    const ids: string[] = [];
    for (let n = 0; n < 15; n++) {
      ids.push(await publishFromOutside('auth.cookie', n));
      await sleep(270);
    }
    for (const tab of tabs) await eventually(async () => (await events(tab)).length >= 15, 20_000, 'all 15 events');
    await sleep(300);
    for (const tab of tabs) expect((await events(tab)).map((e) => e.id)).toEqual(ids);
    expect(log().filter((l) => l === 'POST /sync 200').length).toBeGreaterThanOrEqual(2); // renewed at expiry, with the cookie

    // The app stops renewing: at the next expiry the sync is refused and the stream stops there.
    refreshing = false;
    await refresher;
    for (const tab of tabs) await eventually(async () => (await status(tab)) === 'unauthorized', 15_000, 'unauthorized');
    for (const tab of tabs) expect((await states(tab)).at(-1)!.error).toMatch(/^HTTP 401: the token is not accepted: .*exp/);
    await sleep(300); // the last stream's line comes when it ends, about when the refused sync's does
    const lines = log().filter((l) => l.startsWith('POST /sync') || l.includes('auth.cookie'));
    expect(lines.filter((l) => / 40[13]$/.test(l))).toEqual(['POST /sync 401']);
    await sleep(2000);
    expect(log().filter((l) => l.startsWith('POST /sync') || l.includes('auth.cookie'))).toEqual(lines);
    for (const tab of tabs) expect(await tab.evaluate(() => harness.tokenCalls)).toBe(0);
    await context.clearCookies();
  }, 90_000);

  it('a 403 ends in unauthorized in every tab, saying why, and the worker makes no further request', async () => {
    const log = logFrom();
    const tabs = [await openTab(), await openTab()];
    for (const tab of tabs) await tab.evaluate(() => harness.subscribe('secret.plans'));
    for (const tab of tabs) await eventually(async () => (await status(tab)) === 'unauthorized', 15_000, 'unauthorized');
    await sleep(3000); // many times its backoff
    for (const tab of tabs) {
      expect(await states(tab)).toEqual([
        { status: 'connecting', error: null },
        { status: 'unauthorized', error: 'HTTP 403: the token does not allow subscribing to "secret.plans"' },
      ]);
    }
    // The second tab joined the refused stream's subscribers or was refused by a sync of its own; nothing more.
    const lines = log().filter((l) => l.startsWith('POST /sync') || l.includes('secret.plans'));
    expect(lines.length).toBeGreaterThanOrEqual(1);
    expect(lines.length).toBeLessThanOrEqual(2);
    expect(new Set(lines)).toEqual(new Set(['POST /sync 403']));
    const before = log();
    await sleep(2000);
    expect(log()).toEqual(before);
  }, 60_000);
});
