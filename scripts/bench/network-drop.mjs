#!/usr/bin/env node
// `npm run bench:network-drop` (and the last step of `npm run bench`): events flow to 1,000
// real EventSource clients (the `eventsource` npm package, in a few subscriber processes)
// through a TCP proxy that resets random client connections for a minute; each client
// reconnects by itself with Last-Event-ID. Counts, per client and summed: events delivered of
// those accepted with a 201 on its channel, duplicates, order violations, resets, and clients
// that gave up. Prints one summary line and writes the whole result as JSON.
//
//   node scripts/bench/network-drop.mjs [--clients 1000] [--procs 4] [--channels 10]
//     [--duration 60] [--rate 50] [--cuts-per-sec 5] [--retry-ms 1000] [--payload 64]
//     [--broker memory|redis] [--json FILE] [--no-pin]
//
// The gateway runs from dist/ (npm run build first) on CPU 0; the proxy, the subscribers and
// the publisher on CPU 1 (`taskset`, when there are two CPUs; --no-pin to leave it to the OS).
import { fork, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { availableParallelism, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const HERE = path.dirname(fileURLToPath(import.meta.url));
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

const { values: args } = parseArgs({
  options: {
    clients: { type: 'string', default: '1000' },
    procs: { type: 'string', default: '4' },
    channels: { type: 'string', default: '10' },
    duration: { type: 'string', default: '60' },
    rate: { type: 'string', default: '50' },
    'cuts-per-sec': { type: 'string', default: '5' },
    'retry-ms': { type: 'string', default: '1000' },
    payload: { type: 'string', default: '64' },
    broker: { type: 'string', default: 'memory' },
    json: { type: 'string' },
    'no-pin': { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});
if (args.help) {
  console.log(readFileSync(fileURLToPath(import.meta.url), 'utf8').split('\n').filter((l) => l.startsWith('//')).map((l) => l.slice(3)).join('\n'));
  process.exit(0);
}
const config = {
  clients: positive('clients'),
  procs: positive('procs'),
  channels: positive('channels'),
  durationS: positive('duration'),
  rate: positive('rate'),
  cutsPerSec: Number(args['cuts-per-sec']),
  retryMs: positive('retry-ms'),
  payload: Number(args.payload),
  broker: args.broker,
};
if (!['memory', 'redis'].includes(config.broker)) fail(`--broker must be memory or redis, got ${config.broker}`);
if (!(config.cutsPerSec >= 0)) fail('--cuts-per-sec must be 0 or more');
const jsonFile = args.json ?? path.join(ROOT, 'bench-results', `network-drop-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
const pin = !args['no-pin'] && availableParallelism() >= 2 && spawnSync('taskset', ['--version']).status === 0;
const pinned = (cpu, command, commandArgs) => (pin ? ['taskset', ['-c', String(cpu), command, ...commandArgs]] : [command, commandArgs]);

function positive(name) {
  const value = Number(args[name]);
  if (!(value > 0)) fail(`--${name} must be a positive number, got ${args[name]}`);
  return value;
}
function fail(message) {
  console.error(`network-drop: ${message}`);
  process.exit(1);
}

const cleanups = [];
async function cleanup() {
  for (const step of cleanups.splice(0).reverse()) await step().catch(() => undefined);
}
process.on('SIGINT', () => void cleanup().then(() => process.exit(130)));

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Spawns `command` and resolves once its output matches `ready`; stopped (SIGTERM, then SIGKILL) at cleanup. */
async function startProcess(name, [command, commandArgs], env, ready) {
  const child = spawn(command, commandArgs, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const collect = (chunk) => (output = (output + chunk).slice(-20_000));
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  const exited = new Promise((resolve) => child.once('exit', resolve));
  cleanups.push(async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  });
  const deadline = Date.now() + 30_000;
  while (!ready.test(output)) {
    if (child.exitCode !== null) throw new Error(`${name} exited before it was ready:\n${output}`);
    if (Date.now() > deadline) throw new Error(`${name} was not ready within 30 s:\n${output}`);
    await sleep(50);
  }
  return { child, output: () => output };
}

/** Forks a Node script with an IPC channel, pinned to `cpu` (fork cannot go through taskset: the child is pinned once it runs). */
function forkChild(file, childArgs, cpu) {
  const child = fork(file, childArgs, { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  if (pin) spawnSync('taskset', ['-a', '-pc', String(cpu), String(child.pid)], { stdio: 'ignore' });
  cleanups.push(async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  return child;
}

/** Sends `message` to `child` and resolves with its first answer that has `key`. */
function ask(child, message, key) {
  return new Promise((resolve) => {
    const onMessage = (answer) => {
      if (answer && key in answer) {
        child.off('message', onMessage);
        resolve(answer);
      }
    };
    child.on('message', onMessage);
    if (message) child.send(message);
  });
}

/** CPU seconds (user + system) a process used so far, from /proc. */
function cpuSeconds(pid) {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return null;
  }
}
function rssMiB(pid) {
  try {
    return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) / 1024;
  } catch {
    return null;
  }
}

/**
 * Publishes `rate` events a second, round-robin over `channels`, open loop: each POST carries
 * an Idempotency-Key and is retried with it until a 201 (or 30 s), so a slow answer never
 * makes an event count twice. `accepted[channel]` holds the ids answered 201.
 */
function startPublisher(baseUrl, channels, rate, payload, runId) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });
  const accepted = Object.fromEntries(channels.map((c) => [c, []]));
  const counts = { sent: 0, accepted: 0, retries: 0, failed: 0 };
  const inFlight = new Set();
  const padding = 'x'.repeat(Math.max(0, payload));
  const post = (channel, body, key) =>
    new Promise((resolve) => {
      const req = http.request(`${baseUrl}/channels/${channel}/events`, { method: 'POST', agent, headers: { 'content-type': 'application/json', 'idempotency-key': key }, timeout: 5000 }, (res) => {
        let text = '';
        res.on('data', (c) => (text += c));
        res.on('end', () => resolve(res.statusCode === 201 ? JSON.parse(text).id : null));
      });
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', () => resolve(null));
      req.end(body);
    });
  const publishOne = async (n) => {
    const channel = channels[n % channels.length];
    const key = `${runId}-${n}`;
    const deadline = Date.now() + 30_000;
    for (;;) {
      const id = await post(channel, JSON.stringify({ data: { n, t: Date.now(), p: padding } }), key);
      if (id) {
        accepted[channel].push(id);
        counts.accepted++;
        return;
      }
      if (Date.now() > deadline) return void counts.failed++;
      counts.retries++;
      await sleep(100);
    }
  };
  const started = Date.now();
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      const due = Math.floor(((Date.now() - started) / 1000) * rate) + 1;
      while (counts.sent < due && !stopped) {
        const job = publishOne(counts.sent++);
        inFlight.add(job);
        void job.then(() => inFlight.delete(job));
      }
      await sleep(Math.max(1, Math.floor(1000 / rate / 2)));
    }
  })();
  return {
    accepted,
    counts,
    async stop() {
      stopped = true;
      await loop;
      await Promise.all(inFlight);
      agent.destroy();
      // Ids in the stream's order (publishes overlap, so answers may come in another order).
      const order = (id) => id.split(/[-.]/).slice(0, 2).map(Number);
      for (const ids of Object.values(accepted)) ids.sort((a, b) => order(a)[0] - order(b)[0] || order(a)[1] - order(b)[1]);
      return { ...counts, achievedRate: counts.accepted / ((Date.now() - started) / 1000) };
    },
  };
}

function percentile(lag, p) {
  const total = lag.reduce((a, b) => a + b, 0);
  if (total === 0) return null;
  let seen = 0;
  for (let i = 0; i < lag.length; i++) {
    seen += lag[i];
    if (seen >= total * p) return i < 100 ? i : i < lag.length - 1 ? 100 + (i - 100) * 10 : 10_000;
  }
  return null;
}

async function main() {
  if (!existsSync(path.join(ROOT, 'dist/main.js'))) fail('dist/main.js is missing: run npm run build first');
  const runId = `nd-${Date.now().toString(36)}`;
  const channels = Array.from({ length: config.channels }, (_, i) => `${runId}-${i}`);

  let redisUrl = '';
  if (config.broker === 'redis') {
    const binary = process.env.REDIS_SERVER_BIN ?? '/usr/bin/redis-server';
    if (!existsSync(binary)) fail(`${binary} is missing: apt-get install -y redis-server`);
    const port = await freePort();
    const dir = mkdtempSync(path.join(tmpdir(), 'sse-network-drop-'));
    cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));
    await startProcess('redis-server', pinned(0, binary, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir]), {}, /Ready to accept connections/);
    redisUrl = `redis://127.0.0.1:${port}`;
  }

  const gatewayPort = await freePort();
  const gateway = await startProcess(
    'gateway',
    pinned(0, process.execPath, ['dist/main.js']),
    { PORT: String(gatewayPort), HOST: '127.0.0.1', REDIS_URL: redisUrl, NODE_ENV: 'production', NO_COLOR: '1', SSE_RETRY_MS: String(config.retryMs), INSTANCE_ID: 'network-drop' },
    /listening on/,
  );
  const gatewayPid = gateway.child.pid;

  const proxyChild = forkChild(path.join(HERE, 'drop-proxy.mjs'), ['--target', `127.0.0.1:${gatewayPort}`], 1);
  const { ready: proxyPort } = await ask(proxyChild, null, 'ready');

  // Subscribers: their share each, all open before anything is published.
  const streamUrl = `http://127.0.0.1:${proxyPort}/channels/{channel}/events`;
  const subscribers = [];
  const connectStarted = Date.now();
  for (let p = 0; p < config.procs; p++) {
    const offset = Math.floor((p * config.clients) / config.procs);
    const count = Math.floor(((p + 1) * config.clients) / config.procs) - offset;
    const child = forkChild(path.join(HERE, 'network-drop-clients.mjs'), [], 1);
    subscribers.push({ child, connected: ask(child, { cmd: 'open', url: streamUrl, channels, offset, count }, 'connected') });
  }
  const connectTimeout = sleep(60_000).then(() => 'timeout');
  if ((await Promise.race([Promise.all(subscribers.map((s) => s.connected)), connectTimeout])) === 'timeout') throw new Error('the clients did not all connect within 60 s');
  const connectMs = Date.now() - connectStarted;
  console.log(`network-drop: ${config.clients} clients connected in ${connectMs} ms (${config.procs} processes, ${config.channels} channels, ${config.broker} broker); publishing ${config.rate}/s and cutting ${config.cutsPerSec} connections/s for ${config.durationS} s`);

  // The minute: events flow, connections are cut.
  const cpuBefore = cpuSeconds(gatewayPid);
  const publisher = startPublisher(`http://127.0.0.1:${gatewayPort}`, channels, config.rate, config.payload, runId);
  proxyChild.send({ cmd: 'cut', perSecond: config.cutsPerSec });
  const measureStarted = Date.now();
  await sleep(config.durationS * 1000);
  proxyChild.send({ cmd: 'stop-cutting' });
  const publish = await publisher.stop();
  const measureMs = Date.now() - measureStarted;
  const cpuDuring = cpuSeconds(gatewayPid) - cpuBefore;

  // Drain: until every client holds every event of its channel, or 15 s without progress.
  // Client n is on channel n mod C: channel i has ceil((N - i) / C) of them.
  const expectedTotal = channels.reduce((sum, c, i) => sum + publisher.accepted[c].length * Math.ceil((config.clients - i) / config.channels), 0);
  let received = -1;
  let lastProgressAt = Date.now();
  const drainStarted = Date.now();
  for (;;) {
    const progress = await Promise.all(subscribers.map((s) => ask(s.child, { cmd: 'progress' }, 'progress')));
    const now = progress.reduce((sum, p) => sum + p.progress, 0);
    if (now !== received) lastProgressAt = Date.now();
    received = now;
    if (received >= expectedTotal || Date.now() - lastProgressAt > 15_000) break;
    await sleep(250);
  }
  const drainMs = Date.now() - drainStarted;
  const proxyStats = (await ask(proxyChild, { cmd: 'stats' }, 'stats')).stats;
  const reports = await Promise.all(subscribers.map((s) => ask(s.child, { cmd: 'report', accepted: publisher.accepted }, 'report')));

  const perClient = reports.flatMap((r) => r.report.perClient);
  const sum = (key) => perClient.reduce((total, c) => total + c[key], 0);
  const lag = reports.reduce((acc, r) => acc.map((v, i) => v + r.report.lag[i]), new Array(reports[0].report.lag.length).fill(0));
  const delivery = {
    clients: perClient.length,
    expected: sum('expected'),
    delivered: sum('delivered'),
    lost: sum('expected') - sum('delivered'),
    clientsWithLoss: perClient.filter((c) => c.delivered < c.expected).length,
    duplicates: sum('duplicates'),
    orderViolations: sum('orderViolations'),
    unexpected: sum('unexpected'),
    resets: sum('resets'),
    reconnects: sum('reconnects'),
    clientsReconnected: perClient.filter((c) => c.reconnects > 0).length,
    gaveUp: sum('gaveUp'),
  };
  const result = {
    label: 'network-drop',
    at: new Date().toISOString(),
    config: { ...config, pinned: pin },
    connectMs,
    measureMs,
    drainMs,
    publish,
    proxy: proxyStats,
    delivery,
    lagMs: { p50: percentile(lag, 0.5), p99: percentile(lag, 0.99), p999: percentile(lag, 0.999), max: percentile(lag, 1) },
    gateway: { cpuSecondsDuringMeasure: cpuDuring, rssMiBAtEnd: rssMiB(gatewayPid) },
  };
  const ratio = delivery.expected ? ((100 * delivery.delivered) / delivery.expected).toFixed(3) : 'n/a';
  console.log(
    `network-drop: ${delivery.clients} clients, ${publish.accepted} events accepted (${publish.achievedRate.toFixed(1)}/s on ${config.channels} channels), ` +
      `${proxyStats.cuts} connections cut, ${delivery.reconnects} reconnects: delivered ${delivery.delivered}/${delivery.expected} (${ratio}%), ` +
      `duplicates ${delivery.duplicates}, order violations ${delivery.orderViolations}, resets ${delivery.resets}, gave up ${delivery.gaveUp}; ` +
      `lag p50 ${result.lagMs.p50} ms, p99 ${result.lagMs.p99} ms`,
  );
  mkdirSync(path.dirname(jsonFile), { recursive: true });
  writeFileSync(jsonFile, `${JSON.stringify(result, null, 2)}\n`);
  console.log(`network-drop: ${jsonFile}`);

  for (const s of subscribers) s.child.send({ cmd: 'close' });
  proxyChild.send({ cmd: 'close' });
  await cleanup();
  const ok = delivery.lost === 0 && delivery.duplicates === 0 && delivery.orderViolations === 0 && delivery.gaveUp === 0 && publish.failed === 0;
  process.exit(ok ? 0 : 2);
}

main().catch(async (error) => {
  console.error(`network-drop: ${error.stack ?? error}`);
  await cleanup();
  process.exit(1);
});
