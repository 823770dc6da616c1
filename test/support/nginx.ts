import { spawn, spawnSync } from 'node:child_process';
import { accessSync, constants, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, sleep } from './ports.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export interface NginxOptions {
  /** `host:port` of each gateway instance. */
  readonly upstreams: readonly string[];
  /** Which shipped configuration (deploy/nginx/<name>.conf). Default `sse-gateway`. */
  readonly config?: 'sse-gateway' | 'sse-gateway-sticky';
  readonly port?: number;
}

export interface Nginx {
  readonly port: number;
  readonly url: string;
  /** Points the balancer at another set of instances (graceful reload). */
  reload(upstreams: readonly string[]): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Runs Debian's nginx with the repository's own configuration (deploy/nginx), its server
 * lines replaced by `upstreams` and its listen port by a free one, in a temp prefix.
 */
export async function startNginx(options: NginxOptions): Promise<Nginx> {
  const binary = process.env.NGINX_BIN ?? '/usr/sbin/nginx';
  try {
    accessSync(binary, constants.X_OK);
  } catch {
    throw new Error(`nginx is required for this test and was not found at ${binary}: apt-get install -y nginx`);
  }
  const port = options.port ?? (await freePort());
  const prefix = mkdtempSync(path.join(tmpdir(), 'sse-nginx-'));
  for (const dir of ['logs', 'tmp']) mkdirSync(path.join(prefix, dir));
  const template = readFileSync(path.join(ROOT, 'deploy/nginx', `${options.config ?? 'sse-gateway'}.conf`), 'utf8');

  const write = (upstreams: readonly string[]) => {
    const site = template
      // The block of shipped server lines, replaced as a whole (a second pass would remove the new ones too).
      .replace(/^([ \t]*)server 127\.0\.0\.1:\d+.*\n(?:[ \t]*server 127\.0\.0\.1:\d+.*\n)*/m, (_m, indent: string) =>
        upstreams.map((u) => `${indent}server ${u} max_fails=1 fail_timeout=2s;\n`).join(''),
      )
      .replace(/listen \d+;/, `listen 127.0.0.1:${port};`);
    writeFileSync(path.join(prefix, 'site.conf'), site);
    writeFileSync(
      path.join(prefix, 'nginx.conf'),
      [
        'worker_processes 1;',
        `pid ${prefix}/nginx.pid;`,
        `error_log ${prefix}/logs/error.log warn;`,
        'daemon off;',
        'events { worker_connections 4096; }',
        'http {',
        `  access_log off;`,
        `  client_body_temp_path ${prefix}/tmp/body;`,
        `  proxy_temp_path ${prefix}/tmp/proxy;`,
        `  fastcgi_temp_path ${prefix}/tmp/fastcgi;`,
        `  uwsgi_temp_path ${prefix}/tmp/uwsgi;`,
        `  scgi_temp_path ${prefix}/tmp/scgi;`,
        `  include ${prefix}/site.conf;`,
        '}',
      ].join('\n'),
    );
  };
  write(options.upstreams);
  const conf = path.join(prefix, 'nginx.conf');
  const check = spawnSync(binary, ['-t', '-p', prefix, '-c', conf], { encoding: 'utf8' });
  if (check.status !== 0) throw new Error(`nginx rejected the configuration:\n${check.stderr}`);

  const child = spawn(binary, ['-p', prefix, '-c', conf], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  process.once('exit', () => child.kill('SIGKILL'));
  const deadline = Date.now() + 5000;
  for (;;) {
    const up = await fetch(`http://127.0.0.1:${port}/__nginx_probe`).then(() => true, () => false);
    if (up) break;
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`nginx did not start:\n${stderr}`);
    await sleep(20);
  }

  return {
    port,
    url: `http://127.0.0.1:${port}`,
    async reload(upstreams) {
      write(upstreams);
      child.kill('SIGHUP');
      await sleep(300);
    },
    async stop() {
      if (child.exitCode === null) child.kill('SIGQUIT');
      const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
      await exited;
      clearTimeout(timer);
      rmSync(prefix, { recursive: true, force: true });
    },
  };
}
