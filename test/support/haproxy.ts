import { spawn, spawnSync } from 'node:child_process';
import { accessSync, constants, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, sleep } from './ports.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export interface Haproxy {
  readonly port: number;
  readonly url: string;
  stop(): Promise<void>;
}

/**
 * Runs Debian's haproxy with the repository's configuration (deploy/haproxy/haproxy.cfg),
 * its server lines replaced by `upstreams` (`host:port`) and its bind port by a free one.
 */
export async function startHaproxy(upstreams: readonly string[]): Promise<Haproxy> {
  const binary = process.env.HAPROXY_BIN ?? '/usr/sbin/haproxy';
  try {
    accessSync(binary, constants.X_OK);
  } catch {
    throw new Error(`haproxy is required for this test and was not found at ${binary}: apt-get install -y haproxy`);
  }
  const port = await freePort();
  const dir = mkdtempSync(path.join(tmpdir(), 'sse-haproxy-'));
  const servers = upstreams.map((u, i) => `    server gw${i + 1} ${u} check inter 1s fall 2 rise 1\n`).join('');
  const config = readFileSync(path.join(ROOT, 'deploy/haproxy/haproxy.cfg'), 'utf8')
    .replace(/^[ \t]*server gw\d+ .*\n/m, '@SERVERS@\n')
    .replace(/^[ \t]*server gw\d+ .*\n/gm, '')
    .replace('@SERVERS@\n', servers)
    .replace(/bind :\d+/, `bind 127.0.0.1:${port}`)
    .replace(/maxconn \d+/, 'maxconn 4000');
  const file = path.join(dir, 'haproxy.cfg');
  writeFileSync(file, config);
  const check = spawnSync(binary, ['-c', '-f', file], { encoding: 'utf8' });
  if (check.status !== 0) throw new Error(`haproxy rejected the configuration:\n${check.stdout}${check.stderr}`);

  const child = spawn(binary, ['-db', '-f', file], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  process.once('exit', () => child.kill('SIGKILL'));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const deadline = Date.now() + 5000;
  while (!(await fetch(`http://127.0.0.1:${port}/health`).then((r) => r.status === 200, () => false))) {
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`haproxy did not start:\n${stderr}`);
    await sleep(50);
  }
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
