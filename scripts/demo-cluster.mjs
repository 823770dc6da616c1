#!/usr/bin/env node
// `npm run demo:cluster`: the whole design on one machine. Starts redis-server, three gateway
// instances and nginx (deploy/nginx/sse-gateway.conf) as local processes, thirty subscribers
// that behave as browsers do, and a publisher; prints where every client is, once a second.
// Ctrl-C stops everything. Try: kill one gateway (its pid is printed) and watch its clients
// move; start it again with the printed command; or add load with curl.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const WORK = mkdtempSync(path.join(tmpdir(), 'sse-demo-'));
const children = [];
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function need(binary, pkg) {
  if (!existsSync(binary)) {
    console.error(`${binary} is missing: sudo apt-get install -y ${pkg}`);
    process.exit(1);
  }
}

function freePort(preferred) {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => (preferred ? freePort(0).then(resolve) : resolve(0)));
    server.listen(preferred ?? 0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

function run(name, command, args, env = {}) {
  const child = spawn(command, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  child.name = name;
  child.output = '';
  const keep = (chunk) => (child.output = (child.output + chunk).slice(-4000));
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  children.push(child);
  return child;
}

async function waitFor(check, what, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what} did not come up`);
    await sleep(100);
  }
}

const getJson = (url) =>
  new Promise((resolve) => {
    http.get(url, (res) => {
      let text = '';
      res.on('data', (c) => (text += c));
      res.on('end', () => {
        try {
          resolve(JSON.parse(text));
        } catch {
          resolve(null);
        }
      });
    }).on('error', () => resolve(null));
  });

function post(url, body) {
  return new Promise((resolve) => {
    const req = http.request(url, { method: 'POST', headers: { 'content-type': 'application/json' } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode));
    });
    req.on('error', () => resolve(0));
    req.end(JSON.stringify(body));
  });
}

/** A subscriber that reconnects as EventSource does and remembers its instance. */
function subscriber(url) {
  const state = { instance: '-', lastEventId: '', received: 0, stopped: false };
  const connect = () => {
    if (state.stopped) return;
    const headers = { accept: 'text/event-stream' };
    if (state.lastEventId) headers['last-event-id'] = state.lastEventId;
    let retry = 1000;
    const req = http.get(url, { headers }, (res) => {
      let buffer = '';
      res.on('data', (chunk) => {
        buffer += chunk;
        let end;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const frame = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const fields = Object.fromEntries(frame.split('\n').map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 2)]));
          if (fields.retry) retry = Number(fields.retry);
          if (fields.id) state.lastEventId = fields.id;
          if (fields.event === 'sse.connected') state.instance = JSON.parse(fields.data).instance;
          else if (fields.data !== undefined) state.received++;
        }
      });
      res.on('end', () => {
        state.instance = '-';
        setTimeout(connect, retry);
      });
    });
    req.on('error', () => setTimeout(connect, retry));
    state.request = req;
  };
  connect();
  state.stop = () => {
    state.stopped = true;
    state.request?.destroy();
  };
  return state;
}

async function main() {
  if (!existsSync(path.join(ROOT, 'dist/main.js'))) {
    console.error('dist/main.js is missing: run npm run build (npm run demo:cluster does)');
    process.exit(1);
  }
  need('/usr/bin/redis-server', 'redis-server');
  need('/usr/sbin/nginx', 'nginx');

  const redisPort = await freePort();
  mkdirSync(path.join(WORK, 'redis'));
  const redis = run('redis', '/usr/bin/redis-server', ['--port', String(redisPort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', path.join(WORK, 'redis')]);
  await waitFor(() => new Promise((r) => net.connect(redisPort, '127.0.0.1').on('connect', function () { this.destroy(); r(true); }).on('error', () => r(false))), 'redis-server');

  const gateways = [];
  for (let i = 1; i <= 3; i++) {
    const port = await freePort();
    const env = { PORT: String(port), HOST: '127.0.0.1', REDIS_URL: `redis://127.0.0.1:${redisPort}`, INSTANCE_ID: `gw-${i}`, SSE_RETRY_MS: '1000' };
    const child = run(`gw-${i}`, process.execPath, [path.join(ROOT, 'dist/main.js')], env);
    gateways.push({ id: `gw-${i}`, port, child, env });
  }
  for (const g of gateways) await waitFor(() => /listening on/.test(g.child.output), g.id);

  const nginxPort = await freePort(8080);
  const servers = gateways.map((g) => `    server 127.0.0.1:${g.port} max_fails=1 fail_timeout=2s;\n`).join('');
  const site = readFileSync(path.join(ROOT, 'deploy/nginx/sse-gateway.conf'), 'utf8')
    .replace(/^[ \t]*server 127\.0\.0\.1:\d+.*\n/m, '@SERVERS@\n')
    .replace(/^[ \t]*server 127\.0\.0\.1:\d+.*\n/gm, '')
    .replace('@SERVERS@\n', servers)
    .replace(/listen \d+;/, `listen 127.0.0.1:${nginxPort};`);
  for (const dir of ['logs', 'tmp']) mkdirSync(path.join(WORK, dir));
  writeFileSync(path.join(WORK, 'site.conf'), site);
  writeFileSync(
    path.join(WORK, 'nginx.conf'),
    `worker_processes 1; pid ${WORK}/nginx.pid; error_log ${WORK}/logs/error.log warn; daemon off;\nevents { worker_connections 4096; }\nhttp { access_log off; client_body_temp_path ${WORK}/tmp/body; proxy_temp_path ${WORK}/tmp/proxy; fastcgi_temp_path ${WORK}/tmp/fcgi; uwsgi_temp_path ${WORK}/tmp/uwsgi; scgi_temp_path ${WORK}/tmp/scgi; include ${WORK}/site.conf; }\n`,
  );
  const check = spawnSync('/usr/sbin/nginx', ['-t', '-p', WORK, '-c', path.join(WORK, 'nginx.conf')], { encoding: 'utf8' });
  if (check.status !== 0) throw new Error(check.stderr);
  run('nginx', '/usr/sbin/nginx', ['-p', WORK, '-c', path.join(WORK, 'nginx.conf')]);
  const base = `http://127.0.0.1:${nginxPort}`;
  await waitFor(async () => (await getJson(`${base}/health`)) !== null, 'nginx');

  console.log(`\nRedis            redis://127.0.0.1:${redisPort}`);
  for (const g of gateways) console.log(`${g.id}             http://127.0.0.1:${g.port}   (pid ${g.child.pid})`);
  console.log(`nginx            ${base}   <- use this one`);
  console.log(`\n  open            ${base}/`);
  console.log(`  subscribe       curl -N ${base}/channels/demo/events`);
  console.log(`  publish         curl -d '{"data":{"hello":"world"}}' -H 'content-type: application/json' ${base}/channels/demo/events`);
  console.log(`  the cluster     curl ${base}/cluster`);
  console.log(`  kill one        kill -9 ${gateways[0].child.pid}    (its clients move; nothing is lost)\n`);

  const clients = Array.from({ length: 30 }, () => subscriber(`${base}/channels/demo/events`));
  let n = 0;
  const publisher = setInterval(() => void post(`${base}/channels/demo/events`, { event: 'tick', data: { n: n++, at: new Date().toISOString() } }), 1000);
  const report = setInterval(async () => {
    const where = new Map();
    for (const c of clients) where.set(c.instance, (where.get(c.instance) ?? 0) + 1);
    const alive = gateways.map((g) => `${g.id}${g.child.exitCode === null && g.child.signalCode === null ? '' : ' (down)'}`).join(', ');
    const line = [...where].sort().map(([id, count]) => `${id}: ${count}`).join('  ');
    const received = clients.map((c) => c.received);
    console.log(`[${new Date().toISOString().slice(11, 19)}] clients per instance  ${line}   | events per client ${Math.min(...received)}-${Math.max(...received)} | ${alive}`);
  }, 1000);

  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    clearInterval(publisher);
    clearInterval(report);
    clients.forEach((c) => c.stop());
    console.log('\nstopping…');
    for (const child of children.reverse()) if (child.exitCode === null) child.kill(child.name === 'nginx' ? 'SIGQUIT' : 'SIGTERM');
    await sleep(1500);
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
    rmSync(WORK, { recursive: true, force: true });
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  void redis;
}

main().catch((error) => {
  console.error(error.message);
  for (const child of children) child.kill('SIGKILL');
  rmSync(WORK, { recursive: true, force: true });
  process.exit(1);
});
