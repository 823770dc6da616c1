import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants, mkdtempSync, rmSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './ports.js';

/**
 * Starts real `redis-server` processes for e2e tests: loopback only, a free port, a temp dir
 * each, and by default no persistence (so a restart loses everything, like a crash);
 * `persistence: 'aof'` keeps every acknowledged write across restarts. Several may run at
 * once (a cluster later); each is stopped by whoever started it, and any left over is
 * killed when the test process exits.
 */
export interface RedisServerOptions {
  /** Extra `redis-server` arguments, e.g. `['--cluster-enabled', 'yes']`. */
  readonly args?: readonly string[];
  /** Default: `REDIS_SERVER_BIN`, else `/usr/bin/redis-server`. */
  readonly binary?: string;
  /** Default: a free port on 127.0.0.1. */
  readonly port?: number;
  /**
   * `none` (default): `--save '' --appendonly no`, a restart loses every key. `aof`:
   * `--appendonly yes --appendfsync always`, every acknowledged write is on disk before its
   * answer, so a restart (even after SIGKILL) loses nothing that was acknowledged.
   */
  readonly persistence?: 'none' | 'aof';
}

export interface RedisServer {
  readonly url: string;
  readonly port: number;
  /** Pid of the current process (changes on restart). */
  readonly pid: number;
  /** Shuts down (SIGTERM) and removes the temp dir. */
  stop(): Promise<void>;
  /** Stops (SIGTERM) and starts again on the same port and data dir: without persistence every key is gone. */
  restart(): Promise<void>;
  /** SIGKILL, no shutdown; `restart()` brings it back. */
  kill(): Promise<void>;
  /** SIGSTOP: Redis hangs (connections stay open, nothing answers) until `resume()`. */
  pause(): void;
  resume(): void;
}

const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

export async function startRedis(options: RedisServerOptions = {}): Promise<RedisServer> {
  const binary = options.binary ?? process.env.REDIS_SERVER_BIN ?? '/usr/bin/redis-server';
  try {
    accessSync(binary, constants.X_OK);
  } catch {
    throw new Error(
      `redis-server not found at ${binary}: install it (apt-get install redis-server) or set REDIS_SERVER_BIN`,
    );
  }
  const port = options.port ?? (await freePort());
  const dir = mkdtempSync(join(tmpdir(), 'sse-redis-'));
  const args = [...(options.persistence === 'aof' ? ['--appendonly', 'yes', '--appendfsync', 'always'] : []), ...(options.args ?? [])];
  let child = await launch(binary, port, dir, args);

  const stopProcess = async (signal: NodeJS.Signals) => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGCONT'); // a paused process would act on SIGTERM only once resumed
      child.kill(signal);
      await exited;
    }
    live.delete(child);
  };

  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    get pid() {
      return child.pid!;
    },
    async stop() {
      await stopProcess('SIGTERM');
      rmSync(dir, { recursive: true, force: true });
    },
    async restart() {
      await stopProcess('SIGTERM');
      child = await launch(binary, port, dir, args);
    },
    async kill() {
      await stopProcess('SIGKILL');
    },
    pause() {
      child.kill('SIGSTOP');
    },
    resume() {
      child.kill('SIGCONT');
    },
  };
}

async function launch(binary: string, port: number, dir: string, args: readonly string[]): Promise<ChildProcess> {
  const child = spawn(
    binary,
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, ...args],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  live.add(child);
  let output = '';
  const collect = (chunk: Buffer) => {
    if (output.length < 10_000) output += chunk.toString();
  };
  child.stdout!.on('data', collect);
  child.stderr!.on('data', collect);
  const deadline = Date.now() + 10_000;
  while (!(await answersPing(port))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      live.delete(child);
      throw new Error(`redis-server on port ${port} did not start:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return child;
}

function answersPing(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    let reply = '';
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(500, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk) => {
      reply += chunk.toString();
      if (reply.includes('\r\n')) done(reply.startsWith('+PONG'));
    });
  });
}
