import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { run } from './support/packed-package.js';
import { eventually, freePort } from './support/ports.js';
import { startRedis, type RedisServer } from './support/redis-server.js';
import { openStream, post, request } from './support/sse-client.js';

// The container's runtime stage without a container: package.json, package-lock.json and
// dist/ in a directory of their own, the Dockerfile's production-only install there (it needs
// the npm registry, or an npm cache that holds the packages), and the gateway started from it.
// Anything the gateway loads at run time that sits in devDependencies fails this.

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** The runtime stage's install command, read from the Dockerfile so that the two cannot drift. */
function runtimeInstall(): string[] {
  const match = /^RUN (npm ci --omit=dev[^&\n]*)/m.exec(readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8'));
  if (!match) throw new Error('the Dockerfile has no "RUN npm ci --omit=dev ..." line');
  return match[1]!.trim().split(/\s+/).slice(1);
}

describe('the gateway on production dependencies alone', () => {
  let dir: string;
  let redis: RedisServer | undefined;
  let gateway: ChildProcess | undefined;

  beforeAll(() => {
    if (!existsSync(path.join(ROOT, 'dist/main.js'))) throw new Error('dist/main.js is missing: run npm run build first');
    dir = mkdtempSync(path.join(tmpdir(), 'sse-production-'));
    for (const file of ['package.json', 'package-lock.json']) cpSync(path.join(ROOT, file), path.join(dir, file));
    cpSync(path.join(ROOT, 'dist'), path.join(dir, 'dist'), { recursive: true });
  });

  afterAll(async () => {
    if (gateway && gateway.exitCode === null) {
      const exited = new Promise((resolve) => gateway!.once('exit', resolve));
      gateway.kill('SIGKILL');
      await exited;
    }
    await redis?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('installs with the Dockerfile\'s npm ci --omit=dev, starts from node dist/main.js, serves health, a publish and a stream', async () => {
    // --prefer-offline: what the npm cache holds is not asked for again.
    const install = await run('npm', [...runtimeInstall(), '--prefer-offline'], dir, 280_000, { ...process.env, NODE_ENV: 'production' });
    expect({ code: install.code, output: install.output }).toEqual({ code: 0, output: expect.any(String) });
    // Really production only: the build tools and test tools are not there.
    for (const dev of ['typescript', 'jest', 'esbuild', '@nestjs/testing']) expect({ dev, installed: existsSync(path.join(dir, 'node_modules', dev)) }).toEqual({ dev, installed: false });
    for (const runtime of ['@nestjs/core', 'ioredis', 'jose', 'rxjs']) expect(existsSync(path.join(dir, 'node_modules', runtime))).toBe(true);

    redis = await startRedis();
    const port = await freePort();
    gateway = spawn(process.execPath, ['dist/main.js'], {
      cwd: dir,
      env: {
        PATH: process.env.PATH,
        NODE_ENV: 'production',
        NO_COLOR: '1',
        HOST: '127.0.0.1',
        PORT: String(port),
        INSTANCE_ID: 'production-deps',
        REDIS_URL: redis.url,
        SSE_KEY_PREFIX: `production-deps-${Date.now()}:`,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    gateway.stdout!.on('data', (c: Buffer) => (output += c.toString()));
    gateway.stderr!.on('data', (c: Buffer) => (output += c.toString()));
    await eventually(() => {
      if (gateway!.exitCode !== null) throw new Error(`the gateway exited (${gateway!.exitCode}):\n${output}`);
      return /listening on/.test(output);
    }, 20_000, `"listening on" from the gateway:\n${output}`);
    expect(output).toMatch(new RegExp(`instance production-deps listening on 127\\.0\\.0\\.1:${port} \\(redis redis://127\\.0\\.0\\.1:${redis.port}`));

    const url = `http://127.0.0.1:${port}`;
    expect((await request('GET', `${url}/health/live`)).status).toBe(200);
    expect((await request('GET', `${url}/health/ready`)).status).toBe(200);
    // The demo page and the client bundle come from dist/ alone.
    const page = await request('GET', `${url}/`);
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);

    const stream = await openStream(`${url}/channels/prod/events`);
    try {
      expect(stream.status).toBe(200);
      await stream.waitUntil(() => stream.parser.lastEventId !== '');
      const published = await post(`${url}/channels/prod/events`, { event: 'order.created', data: { id: 'o-1' } });
      expect(published.status).toBe(201);
      const [event] = await stream.waitForEvents(1);
      expect(event).toEqual({ lastEventId: published.body.id, type: 'order.created', data: '{"id":"o-1"}' });
    } finally {
      stream.close();
    }

    const exited = new Promise<number | null>((resolve) => gateway!.once('exit', (code) => resolve(code)));
    gateway.kill('SIGTERM');
    expect(await exited).toBe(0);
  }, 360_000);
});
