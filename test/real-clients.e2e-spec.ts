import type { BrowserContext } from 'playwright-core';
import { eventually, sleep } from './support/ports.js';
import {
  BrowserClients,
  delivery,
  epochOf,
  firstDifference,
  launchChromium,
  PackageClient,
  startCluster,
  SteadyPublisher,
  totals,
  type ClientLog,
  type GatewayCluster,
} from './support/real-clients.js';

const PACKAGE_CLIENTS = 25;
const BROWSER_CLIENTS = 3;

// Every event accepted with a 201 reaches each client once, in order, for clients nobody on
// the team wrote: the `eventsource` npm package and Chromium's native EventSource, through the
// shipped nginx configuration in front of several gateway processes on one real Redis, while
// an instance is killed, an instance drains, the cluster rebalances onto a new instance, and
// Redis restarts with and without persistence. Events are published throughout, each retried
// with its Idempotency-Key until a 201.
describe('real EventSource clients through nginx, across failures', () => {
  let chromium: { context: BrowserContext; close(): Promise<void> };
  let cluster: GatewayCluster | undefined;
  let packageClients: PackageClient[] = [];
  let browser: BrowserClients | undefined;

  const env = (extra: Record<string, string> = {}) => ({
    SSE_RETRY_MS: '500',
    SSE_HEARTBEAT_MS: '1000',
    SSE_DRAIN_MS: '1500',
    SSE_PUBLISH_TIMEOUT_MS: '1000',
    SSE_REBALANCE_RATIO: '0',
    ...extra,
  });

  beforeAll(async () => {
    chromium = await launchChromium();
  }, 60_000);
  afterEach(async () => {
    packageClients.forEach((c) => c.close());
    packageClients = [];
    await browser?.close();
    browser = undefined;
    await cluster?.close();
    cluster = undefined;
  }, 30_000);
  afterAll(async () => {
    await chromium?.close();
  });

  /** Opens every client on `channel` through nginx and waits until each has its start position. */
  const connect = async (channel: string) => {
    const url = `${cluster!.nginx.url}/channels/${channel}/events`;
    packageClients = Array.from({ length: PACKAGE_CLIENTS }, () => new PackageClient(url));
    browser = await BrowserClients.open(chromium.context, cluster!.nginx.url, `/channels/${channel}/events`, BROWSER_CLIENTS);
    await eventually(async () => packageClients.every((c) => c.log.instances.length > 0) && (await browser!.logs()).every((l) => l.instances.length > 0), 20_000, 'every client connected');
  };

  const logs = async (): Promise<{ kind: string; log: ClientLog }[]> => [
    ...packageClients.map((c) => ({ kind: 'eventsource', log: c.log })),
    ...(await browser!.logs()).map((log) => ({ kind: 'chromium', log })),
  ];

  /** Streams per instance, as the clients see it (the instance of each one's current connection). */
  const busiest = async () => {
    const counts = new Map<string, number>();
    for (const { log } of await logs()) counts.set(log.instances.at(-1)!, (counts.get(log.instances.at(-1)!) ?? 0) + 1);
    const [id, count] = [...counts].sort((a, b) => b[1] - a[1])[0]!;
    return { gateway: cluster!.gateways.find((g) => g.instanceId === id)!, count };
  };

  /** Publishes throughout: about 0.7 s before `disrupt`, during it, and 1.5 s after. */
  const publishAround = async (channel: string, disrupt: () => Promise<void>) => {
    const publisher = new SteadyPublisher(cluster!.nginx.url, channel, 15);
    await sleep(700);
    await disrupt();
    await sleep(1500);
    await publisher.stop();
    return publisher;
  };

  /** Waits until every client got what it should, then checks that it got exactly that. */
  const expectExactly = async (scenario: string, expected: readonly string[]) => {
    await eventually(async () => (await logs()).every(({ log }) => delivery(log, expected).delivered === delivery(log, expected).expected), 30_000, 'every client caught up').catch(() => undefined);
    await sleep(300); // a duplicate would come right behind
    const all = await logs();
    const byKind = (kind: string) => totals(all.filter((c) => c.kind === kind).map((c) => delivery(c.log, expected)));
    const sum = totals(all.map((c) => delivery(c.log, expected)));
    process.stdout.write(
      `  ${scenario}: ${sum.clients} clients (${PACKAGE_CLIENTS} eventsource, ${BROWSER_CLIENTS} chromium) x ${expected.filter((id) => id !== 'reset').length} events: ` +
        `delivered ${sum.delivered}/${sum.expected}, duplicates ${sum.duplicates}, out of order ${sum.outOfOrder}, never accepted ${sum.unexpected}; ` +
        `eventsource ${JSON.stringify(byKind('eventsource'))}, chromium ${JSON.stringify(byKind('chromium'))}\n`,
    );
    for (const { kind, log } of all.filter((c) => !delivery(c.log, expected).exact).slice(0, 3)) {
      process.stdout.write(`    ${kind}: ${firstDifference(log, expected)}\n`);
    }
    expect(sum.expected).toBeGreaterThan(0);
    expect(sum).toEqual({ clients: all.length, expected: sum.expected, delivered: sum.expected, duplicates: 0, outOfOrder: 0, unexpected: 0, exact: all.length });
    // No EventSource gave up (a non-200 answer would have closed it for good).
    expect(all.map(({ log }) => log.readyState)).toEqual(all.map(() => 1));
  };

  it('an instance is killed (SIGKILL): its clients reconnect to the others and miss nothing', async () => {
    cluster = await startCluster({ instances: 3, env: env() });
    await connect('kill');
    const victim = await busiest();
    const publisher = await publishAround('kill', async () => {
      await victim.gateway.kill();
    });
    expect(victim.count).toBeGreaterThan(0);
    await expectExactly('SIGKILL of an instance', publisher.accepted);
    // The victim's clients came back on the survivors.
    expect((await logs()).every(({ log }) => log.instances.at(-1) !== victim.gateway.instanceId)).toBe(true);
    expect((await logs()).filter(({ log }) => log.instances.length > 1)).toHaveLength(victim.count);
  }, 90_000);

  it('an instance drains (SIGTERM): its clients come back within the drain window and miss nothing', async () => {
    cluster = await startCluster({ instances: 3, env: env() });
    await connect('drain');
    const victim = await busiest();
    let exit: number | string = -1;
    const publisher = await publishAround('drain', async () => {
      exit = await victim.gateway.stop(5000);
    });
    expect(exit).toBe(0);
    expect(victim.count).toBeGreaterThan(0);
    await expectExactly('drain (SIGTERM) of an instance', publisher.accepted);
    expect((await logs()).filter(({ log }) => log.instances.length > 1)).toHaveLength(victim.count);
  }, 90_000);

  it('a third instance joins: nginx is reloaded, the rebalancer sheds streams to it, nothing is missed', async () => {
    cluster = await startCluster({ instances: 2, env: env({ SSE_REBALANCE_RATIO: '1.25', SSE_REBALANCE_RATE: '20', SSE_PRESENCE_INTERVAL_MS: '300' }) });
    await connect('rebalance');
    let third!: string;
    let spread: Record<string, number> = {};
    const publisher = await publishAround('rebalance', async () => {
      third = (await cluster!.addInstance()).instanceId;
      spread = await eventually(
        async () => {
          const now = await cluster!.streamsPerInstance();
          const counts = Object.values(now);
          const total = counts.reduce((a, b) => a + b, 0);
          return counts.length === 3 && total === PACKAGE_CLIENTS + BROWSER_CLIENTS && now[third]! >= 5 ? now : null;
        },
        20_000,
        'streams shed to the new instance',
      );
    });
    process.stdout.write(`  spread after the rebalance: ${JSON.stringify(spread)}\n`);
    await expectExactly('rebalance onto a third instance', publisher.accepted);
    const moved = (await logs()).filter(({ log }) => log.instances.length > 1);
    expect(moved.length).toBeGreaterThanOrEqual(5);
    expect(moved.filter(({ log }) => log.instances.at(-1) === third).length).toBeGreaterThanOrEqual(5);
  }, 90_000);

  it('Redis restarts with persistence (AOF, fsync always): the stream survives, nothing is missed', async () => {
    cluster = await startCluster({ instances: 3, persistence: 'aof', env: env() });
    await connect('redis-aof');
    const publisher = await publishAround('redis-aof', async () => {
      await cluster!.redis.kill(); // a crash: only what is on disk comes back
      await sleep(1000);
      await cluster!.redis.restart();
    });
    expect(publisher.publisher.failures.length).toBeGreaterThan(0); // publishes were refused meanwhile, and retried
    expect(new Set(publisher.accepted.map(epochOf)).size).toBe(1);
    await expectExactly('Redis restart with AOF', publisher.accepted);
  }, 90_000);

  it('Redis restarts without persistence: the stream is lost; each client gets reset, then every event of the new stream', async () => {
    cluster = await startCluster({ instances: 3, persistence: 'none', env: env() });
    await connect('redis-lost');
    const publisher = await publishAround('redis-lost', async () => {
      await cluster!.redis.restart();
    });
    const accepted = publisher.accepted;
    const epochs = [...new Set(accepted.map(epochOf))];
    expect(epochs).toHaveLength(2);
    const before = accepted.filter((id) => epochOf(id) === epochs[0]);
    const after = accepted.filter((id) => epochOf(id) === epochs[1]);
    expect(before.length).toBeGreaterThan(3);
    expect(after.length).toBeGreaterThan(3);
    await expectExactly('Redis restart without persistence', [...before, 'reset', ...after]);
    // The reset moved each client onto the new stream.
    for (const { log } of await logs()) {
      const reset = log.events.find((e) => e.type === 'reset')!;
      expect(epochOf(reset.id)).toBe(epochs[1]);
      expect(JSON.parse(reset.data)).toMatchObject({ reason: expect.any(String), head: reset.id });
    }
  }, 90_000);
});
