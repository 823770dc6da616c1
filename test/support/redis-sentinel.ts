import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { freePort, sleep } from './ports.js';
import { startRedis, type RedisServer } from './redis-server.js';

/**
 * A real Sentinel group for e2e tests: a master and `replicas` replicas (redis-server), and
 * `sentinels` redis-sentinel processes watching it, all on free loopback ports with a temp
 * dir each. Short `down-after-milliseconds` and `failover-timeout`, so a failover after the
 * master dies takes a few seconds. Resolves once every Sentinel knows every replica and the
 * other Sentinels (`SENTINEL CKQUORUM` passes).
 */
export interface RedisSentinelOptions {
  readonly replicas?: number;
  readonly sentinels?: number;
  readonly quorum?: number;
  /** Default `mymaster`. */
  readonly masterName?: string;
  /** `down-after-milliseconds`; default 1000. */
  readonly downAfterMs?: number;
  /** `failover-timeout`; default 5000. */
  readonly failoverTimeoutMs?: number;
  /**
   * An ACL user the data nodes require for everything but PING (the default user may only
   * PING); replicas and Sentinels use it too. Unset: no authentication.
   */
  readonly auth?: { readonly username: string; readonly password: string };
  /** `requirepass` of the Sentinels themselves. Unset: none. */
  readonly sentinelPassword?: string;
}

export interface RedisSentinelGroup {
  readonly masterName: string;
  /** Index 0 is the first master; the others start as its replicas. */
  readonly servers: readonly RedisServer[];
  readonly sentinelPorts: readonly number[];
  /** `redis+sentinel://[user:password@]127.0.0.1:p1,127.0.0.1:p2,.../<masterName>` */
  readonly url: string;
  /** Index of the server the Sentinels name as master now (the first Sentinel that answers). */
  master(): Promise<number>;
  /**
   * Waits until every Sentinel names a server other than `from` as master, that server says
   * it is one, and `replicas` replicas are in sync with it; resolves with its index.
   */
  waitForFailover(from: number, replicas?: number, timeoutMs?: number): Promise<number>;
  /** A connection to server `index` (authenticated); closed by `stop()`. */
  client(index: number): Redis;
  /** Stops every Sentinel and server and removes the temp dirs. */
  stop(): Promise<void>;
}

const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

export async function startRedisSentinel(options: RedisSentinelOptions = {}): Promise<RedisSentinelGroup> {
  const binary = process.env.REDIS_SENTINEL_BIN ?? '/usr/bin/redis-sentinel';
  try {
    accessSync(binary, constants.X_OK);
  } catch {
    throw new Error(`redis-sentinel not found at ${binary}: install it (apt-get install redis-sentinel) or set REDIS_SENTINEL_BIN`);
  }
  const replicaCount = options.replicas ?? 2;
  const sentinelCount = options.sentinels ?? 3;
  const quorum = options.quorum ?? 2;
  const name = options.masterName ?? 'mymaster';
  const auth = options.auth;
  const acl = auth ? ['--user', 'default', 'on', 'nopass', '-@all', '+ping', '--user', auth.username, 'on', `>${auth.password}`, '~*', '&*', '+@all'] : [];
  const servers: RedisServer[] = [];
  const sentinels: { port: number; child: ChildProcess; dir: string }[] = [];
  const clients: Redis[] = [];
  // Fail at once on a node that is down, instead of queueing and retrying.
  const connect = (index: number): Redis => {
    const conn = new Redis({
      host: '127.0.0.1',
      port: servers[index]!.port,
      ...(auth ? { username: auth.username, password: auth.password } : {}),
      retryStrategy: () => null,
      maxRetriesPerRequest: 0,
      connectTimeout: 1000,
    });
    conn.on('error', () => undefined);
    return conn;
  };
  const client = (index: number): Redis => {
    const conn = connect(index);
    clients.push(conn);
    return conn;
  };
  const sentinelClient = (port: number) => {
    const conn = new Redis({
      host: '127.0.0.1',
      port,
      ...(options.sentinelPassword ? { password: options.sentinelPassword } : {}),
      retryStrategy: () => null,
      maxRetriesPerRequest: 0,
      connectTimeout: 1000,
    });
    conn.on('error', () => undefined);
    return conn;
  };
  const askSentinels = async <T>(ask: (conn: Redis) => Promise<T>): Promise<T[]> => {
    const answers: T[] = [];
    for (const s of sentinels) {
      if (s.child.exitCode !== null) continue;
      const conn = sentinelClient(s.port);
      try {
        answers.push(await ask(conn));
      } finally {
        conn.disconnect();
      }
    }
    return answers;
  };
  const indexOfPort = (port: number) => servers.findIndex((s) => s.port === port);
  const masterPorts = () => askSentinels(async (conn) => Number(((await conn.call('SENTINEL', 'get-master-addr-by-name', name)) as string[])[1]));
  const replicasInSync = async (index: number): Promise<number> => {
    const conn = connect(index);
    try {
      const info = await conn.info('replication');
      if (!/role:master/.test(info)) return -1;
      return (info.match(/^slave\d+:.*state=online/gm) ?? []).length;
    } finally {
      conn.disconnect();
    }
  };

  try {
    servers.push(await startRedis({ args: acl }));
    const follow = ['--replicaof', '127.0.0.1', String(servers[0]!.port), ...(auth ? ['--masteruser', auth.username, '--masterauth', auth.password] : [])];
    for (let i = 0; i < replicaCount; i++) servers.push(await startRedis({ args: [...acl, ...follow] }));
    await until(async () => (await replicasInSync(0)) === replicaCount, 15_000, `${replicaCount} replicas in sync`);

    for (let i = 0; i < sentinelCount; i++) {
      const port = await freePort();
      const dir = mkdtempSync(join(tmpdir(), 'sse-sentinel-'));
      const config = [
        `port ${port}`,
        'bind 127.0.0.1',
        `dir ${dir}`,
        `sentinel monitor ${name} 127.0.0.1 ${servers[0]!.port} ${quorum}`,
        `sentinel down-after-milliseconds ${name} ${options.downAfterMs ?? 1000}`,
        `sentinel failover-timeout ${name} ${options.failoverTimeoutMs ?? 5000}`,
        `sentinel parallel-syncs ${name} ${replicaCount}`,
        ...(auth ? [`sentinel auth-user ${name} ${auth.username}`, `sentinel auth-pass ${name} ${auth.password}`] : []),
        ...(options.sentinelPassword ? [`requirepass ${options.sentinelPassword}`, `sentinel sentinel-pass ${options.sentinelPassword}`] : []),
      ];
      // Sentinel rewrites its configuration file: it must be writable, one per process.
      const file = join(dir, 'sentinel.conf');
      writeFileSync(file, `${config.join('\n')}\n`);
      const child = spawn(binary, [file], { stdio: ['ignore', 'pipe', 'pipe'] });
      live.add(child);
      let output = '';
      child.stdout!.on('data', (c: Buffer) => output.length < 20_000 && (output += c.toString()));
      child.stderr!.on('data', (c: Buffer) => output.length < 20_000 && (output += c.toString()));
      sentinels.push({ port, child, dir });
      await until(
        async () => {
          if (child.exitCode !== null) throw new Error(`redis-sentinel on port ${port} exited:\n${output}`);
          const conn = sentinelClient(port);
          try {
            return (await conn.ping()) === 'PONG';
          } finally {
            conn.disconnect();
          }
        },
        10_000,
        `redis-sentinel on port ${port} to answer`,
      );
    }
    // Every Sentinel knows the others (hello messages every 2 s) and every replica.
    await until(
      async () => {
        const checks = await askSentinels(async (conn) => {
          const quorumOk = String(await conn.call('SENTINEL', 'ckquorum', name).catch((e: Error) => e.message));
          const known = (await conn.call('SENTINEL', 'replicas', name)) as string[][];
          const peers = (await conn.call('SENTINEL', 'sentinels', name)) as string[][];
          return /^OK/.test(quorumOk) && known.length === replicaCount && peers.length === sentinelCount - 1;
        });
        return checks.length === sentinelCount && checks.every(Boolean);
      },
      20_000,
      'every Sentinel to know the replicas and the other Sentinels',
    );
  } catch (error) {
    await stopAll(sentinels, servers, clients);
    throw error;
  }

  const credentials = auth ? `${encodeURIComponent(auth.username)}:${encodeURIComponent(auth.password)}@` : '';
  return {
    masterName: name,
    servers,
    sentinelPorts: sentinels.map((s) => s.port),
    url: `redis+sentinel://${credentials}${sentinels.map((s) => `127.0.0.1:${s.port}`).join(',')}/${name}`,
    async master() {
      const [port] = await masterPorts();
      return indexOfPort(port!);
    },
    async waitForFailover(from, replicas = replicaCount - 1, timeoutMs = 30_000) {
      let promoted = -1;
      await until(
        async () => {
          const ports = await masterPorts();
          const index = indexOfPort(ports[0]!);
          if (index === from || ports.some((p) => p !== ports[0])) return false;
          if ((await replicasInSync(index)) < replicas) return false;
          promoted = index;
          return true;
        },
        timeoutMs,
        `a failover away from server ${from}`,
      );
      return promoted;
    },
    client,
    stop: () => stopAll(sentinels, servers, clients),
  };
}

async function stopAll(sentinels: { child: ChildProcess; dir: string }[], servers: RedisServer[], clients: Redis[]): Promise<void> {
  clients.splice(0).forEach((c) => c.disconnect());
  await Promise.all(
    sentinels.splice(0).map(async ({ child, dir }) => {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGKILL');
        await exited;
      }
      live.delete(child);
      rmSync(dir, { recursive: true, force: true });
    }),
  );
  await Promise.all(servers.map((s) => s.stop().catch(() => undefined)));
}

async function until(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      if (await check()) return;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms${lastError ? ` (${String(lastError)})` : ''}`);
    await sleep(100);
  }
}
