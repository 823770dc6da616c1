import { execFile } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { createConnection } from 'node:net';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import { startRedis, type RedisServer } from './redis-server.js';

const run = promisify(execFile);

/**
 * A real Redis Cluster for e2e tests: `masters` redis-server processes in cluster mode on
 * free loopback ports (no persistence, a temp dir each, so `nodes.conf` lives and dies with
 * the node), joined by `redis-cli --cluster create` (no replicas unless asked). Resolves
 * once every node reports `cluster_state:ok`.
 */
export interface RedisClusterOptions {
  readonly masters?: number;
  /** Replicas per master (`--cluster-replicas`); default 0. */
  readonly replicas?: number;
  /** `cluster-node-timeout`; default 2000 ms. */
  readonly nodeTimeoutMs?: number;
}

export interface RedisCluster {
  readonly nodes: readonly RedisServer[];
  /** `redis+cluster://127.0.0.1:p1,127.0.0.1:p2,...` */
  readonly url: string;
  /** `127.0.0.1:p1,127.0.0.1:p2,...` (the `REDIS_CLUSTER_NODES` form). */
  readonly nodeList: string;
  /** SIGKILL one node; it keeps its port, `restart(i)` brings it back. */
  kill(index: number): Promise<void>;
  /** Starts a killed node again, with the same `nodes.conf` (it rejoins), and waits for `cluster_state:ok`. */
  restart(index: number): Promise<void>;
  /** Index of the master serving `slot`, as the first live node sees it. */
  ownerOf(slot: number): Promise<number>;
  /**
   * Live resharding of one slot to node `to`, the way `redis-cli --cluster reshard` does it
   * (IMPORTING/MIGRATING, MIGRATE of every key, SETSLOT NODE everywhere); resolves once every
   * node agrees on the new owner.
   */
  moveSlot(slot: number, to: number): Promise<void>;
  /** Kills every node and removes the temp dirs. */
  stop(): Promise<void>;
}

export async function startRedisCluster(options: RedisClusterOptions = {}): Promise<RedisCluster> {
  const masters = options.masters ?? 3;
  const replicas = options.replicas ?? 0;
  const cli = process.env.REDIS_CLI_BIN ?? '/usr/bin/redis-cli';
  try {
    accessSync(cli, constants.X_OK);
  } catch {
    throw new Error(`redis-cli not found at ${cli}: install it (apt-get install redis-tools) or set REDIS_CLI_BIN`);
  }
  const args = [
    '--cluster-enabled', 'yes',
    // Relative to each node's own --dir (a temp dir per node).
    '--cluster-config-file', 'nodes.conf',
    '--cluster-node-timeout', String(options.nodeTimeoutMs ?? 2000),
  ];
  const nodes: RedisServer[] = [];
  try {
    for (let i = 0; i < masters * (1 + replicas); i++) nodes.push(await startRedis({ args }));
    const addresses = nodes.map((n) => `127.0.0.1:${n.port}`);
    await run(cli, ['--cluster', 'create', ...addresses, '--cluster-replicas', String(replicas), '--cluster-yes'], { timeout: 30_000 });
    await Promise.all(nodes.map((n) => waitClusterOk(n.port)));
    // A replica that never finished its first sync would refuse to fail over: wait for it.
    if (replicas > 0) await waitReplicasInSync(nodes, masters * replicas);
    const nodeList = addresses.join(',');
    return {
      nodes,
      url: `redis+cluster://${nodeList}`,
      nodeList,
      kill: (index) => nodes[index]!.kill(),
      async restart(index) {
        await nodes[index]!.restart();
        await Promise.all(nodes.map((n) => waitClusterOk(n.port)));
      },
      async ownerOf(slot) {
        // As the first node that answers sees it (a killed node does not).
        let lastError: unknown;
        for (const viewer of nodes.keys()) {
          try {
            return await ownerOf(nodes, viewer, slot);
          } catch (error) {
            lastError = error;
          }
        }
        throw lastError;
      },
      moveSlot: (slot, to) => moveSlot(nodes, slot, to),
      async stop() {
        await Promise.all(nodes.map((n) => n.stop()));
      },
    };
  } catch (error) {
    await Promise.all(nodes.map((n) => n.stop().catch(() => undefined)));
    throw error;
  }
}

/** Waits until the node says `cluster_state:ok` (every slot served, as this node sees it). */
export async function waitClusterOk(port: number, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    last = await inline(port, 'CLUSTER INFO').catch((e: Error) => e.message);
    if (/cluster_state:ok/.test(last)) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`cluster node on port ${port} not ok within ${timeoutMs} ms:\n${last}`);
}

/** One inline command on a raw socket (no client library), its reply as text. */
function inline(port: number, command: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    let reply = '';
    socket.setTimeout(1000, () => {
      socket.destroy();
      reject(new Error('timeout'));
    });
    socket.once('error', reject);
    socket.once('connect', () => socket.write(`${command}\r\n`));
    socket.on('data', (chunk) => {
      reply += chunk.toString();
      // A bulk reply: `$<len>\r\n<body>\r\n`; anything else is one line.
      const header = /^\$(\d+)\r\n/.exec(reply);
      if ((header && reply.length >= header[0].length + Number(header[1]) + 2) || (!header && reply.includes('\r\n'))) {
        socket.destroy();
        resolve(reply);
      }
    });
  });
}

async function withNodes<T>(nodes: readonly RedisServer[], work: (conns: Redis[]) => Promise<T>): Promise<T> {
  // Fail at once on a node that is down, instead of queueing and retrying.
  const conns = nodes.map((n) => new Redis(n.port, '127.0.0.1', { retryStrategy: () => null, maxRetriesPerRequest: 0, connectTimeout: 1000 }));
  conns.forEach((c) => c.on('error', () => undefined));
  try {
    return await work(conns);
  } finally {
    await Promise.all(conns.map((c) => (c.status === 'ready' ? c.quit().then(() => undefined, () => c.disconnect()) : c.disconnect())));
  }
}

async function ownerOf(nodes: readonly RedisServer[], viewer: number, slot: number): Promise<number> {
  return withNodes([nodes[viewer]!], async ([conn]) => {
    const ranges = await conn!.cluster('SLOTS');
    const range = ranges.find(([from, to]) => slot >= from && slot <= to);
    return range ? nodes.findIndex((n) => n.port === range[2]![1]) : -1;
  });
}

async function moveSlot(nodes: readonly RedisServer[], slot: number, to: number): Promise<void> {
  const from = await ownerOf(nodes, 0, slot);
  if (from === to) return;
  await withNodes(nodes, async (conns) => {
    const ids = await Promise.all(conns.map((c) => c.cluster('MYID')));
    const source = conns[from]!;
    const target = conns[to]!;
    await target.cluster('SETSLOT', slot, 'IMPORTING', ids[from]!);
    await source.cluster('SETSLOT', slot, 'MIGRATING', ids[to]!);
    for (;;) {
      const keys = await source.cluster('GETKEYSINSLOT', slot, 100);
      if (keys.length === 0) break;
      await source.call('MIGRATE', '127.0.0.1', nodes[to]!.port, '', 0, 5000, 'KEYS', ...keys);
    }
    // Target first, then the source, then everyone else (as redis-cli does).
    const order = [to, from, ...conns.keys()].filter((i, k, all) => all.indexOf(i) === k);
    for (const i of order) await conns[i]!.cluster('SETSLOT', slot, 'NODE', ids[to]!);
  });
  const deadline = Date.now() + 30_000;
  while ((await Promise.all(nodes.map((_, i) => ownerOf(nodes, i, slot)))).some((owner) => owner !== to)) {
    if (Date.now() > deadline) throw new Error(`slot ${slot} did not settle on node ${to}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function waitReplicasInSync(nodes: readonly RedisServer[], expected: number, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const synced = await withNodes(nodes, (conns) =>
      Promise.all(conns.map((c) => c.info('replication').then((info) => /role:slave/.test(info) && /master_link_status:up/.test(info)))),
    );
    if (synced.filter(Boolean).length === expected) return;
    if (Date.now() > deadline) throw new Error(`only ${synced.filter(Boolean).length} of ${expected} replicas in sync`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
