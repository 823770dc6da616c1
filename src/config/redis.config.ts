import { readFileSync } from 'node:fs';
import { createSecureContext } from 'node:tls';
import {
  isRedisClusterUrl,
  isRedisSentinelUrl,
  parseRedisNodeList,
  parseRedisTarget,
  type RedisTarget,
  type RedisTlsOptions,
  SSE_DEFAULTS,
  type SseModuleOptions,
} from '../sse/internals.js';
import type { EnvReader } from './env-parsers.js';

/** The module's Redis options the environment sets (README: Configuration, Highly available Redis). */
export type RedisOptions = Pick<SseModuleOptions, 'redis' | 'redisTls' | 'sentinelUsername' | 'sentinelPassword' | 'minReplicasAck' | 'ackTimeoutMs'>;

const TLS_SETTINGS = ['SSE_REDIS_TLS_CA', 'SSE_REDIS_TLS_CERT', 'SSE_REDIS_TLS_KEY', 'SSE_REDIS_TLS_SERVERNAME'] as const;
const SENTINEL_SETTINGS = ['SSE_REDIS_SENTINEL_USERNAME', 'SSE_REDIS_SENTINEL_PASSWORD'] as const;

/**
 * Reads the Redis settings; problems go to `read.problems` with the others. Certificate files
 * are read and checked here, so a bad one stops the process at start with its setting named.
 */
export function readRedisOptions(read: EnvReader, publishTimeoutMs: number): RedisOptions {
  const url = readRedisUrl(read);
  let target: RedisTarget | undefined;
  try {
    target = url === undefined ? undefined : parseRedisTarget(url);
  } catch {
    // already reported by readRedisUrl
  }
  const tls = readTls(read);
  const sentinelUsername = read.string('SSE_REDIS_SENTINEL_USERNAME');
  const sentinelPassword = read.string('SSE_REDIS_SENTINEL_PASSWORD');
  const minReplicasAck = read.optionalInteger('SSE_REDIS_MIN_REPLICAS_ACK', 0, 100);
  const ackTimeoutMs = read.optionalInteger('SSE_REDIS_ACK_TIMEOUT_MS', 1, 60_000);

  const tlsSet = TLS_SETTINGS.filter((name) => read.string(name) !== undefined);
  if (tlsSet.length > 0 && url === undefined) read.problems.push(`${tlsSet.join(', ')} set without REDIS_URL`);
  else if (tlsSet.length > 0 && target && !target.tls) {
    read.problems.push(`${tlsSet.join(', ')} set but REDIS_URL does not use TLS: use rediss://, rediss+sentinel:// or rediss+cluster://`);
  }
  const sentinelSet = SENTINEL_SETTINGS.filter((name) => read.string(name) !== undefined);
  if (sentinelSet.length > 0 && (url === undefined || (target && target.mode !== 'sentinel'))) {
    read.problems.push(`${sentinelSet.join(', ')} ${sentinelSet.length > 1 ? 'need' : 'needs'} REDIS_URL=redis+sentinel://… (the Sentinels' own credentials; the master's go in the URL)`);
  }
  if (minReplicasAck !== undefined && minReplicasAck > 0) {
    if (url === undefined) read.problems.push('SSE_REDIS_MIN_REPLICAS_ACK needs REDIS_URL: the in-memory broker has no replicas');
    else if (target?.mode === 'cluster') {
      read.problems.push('SSE_REDIS_MIN_REPLICAS_ACK is not supported on a Redis Cluster (WAIT would share the one connection per node with every other command): use Sentinel or a single server with replicas, or 0');
    }
    if ((ackTimeoutMs ?? SSE_DEFAULTS.ackTimeoutMs) >= publishTimeoutMs) {
      read.problems.push(`SSE_REDIS_ACK_TIMEOUT_MS (${ackTimeoutMs ?? SSE_DEFAULTS.ackTimeoutMs}) must be below SSE_PUBLISH_TIMEOUT_MS (${publishTimeoutMs})`);
    }
  }
  return { redis: url, redisTls: tls, sentinelUsername, sentinelPassword, minReplicasAck, ackTimeoutMs };
}

/**
 * `REDIS_URL` (one server, or a cluster or Sentinel with the `+cluster` / `+sentinel` schemes),
 * or `REDIS_CLUSTER_NODES` (`host:port,host:port`, a cluster without credentials or TLS); never both.
 */
function readRedisUrl(read: EnvReader): string | undefined {
  const url = read.string('REDIS_URL');
  const nodes = read.string('REDIS_CLUSTER_NODES');
  if (url !== undefined && nodes !== undefined) {
    read.problems.push('REDIS_URL and REDIS_CLUSTER_NODES are both set: set one (a cluster with credentials or TLS needs REDIS_URL=redis+cluster://user:password@host:port,...)');
    return undefined;
  }
  const check = (name: string, parse: () => unknown) => {
    try {
      parse();
      return true;
    } catch (error) {
      read.problems.push(`${name}: ${(error as Error).message}`);
      return false;
    }
  };
  if (nodes !== undefined) {
    return check('REDIS_CLUSTER_NODES', () => parseRedisNodeList(nodes)) ? `redis+cluster://${nodes.replace(/\s+/g, '')}` : undefined;
  }
  if (url !== undefined && (isRedisClusterUrl(url) || isRedisSentinelUrl(url))) return check('REDIS_URL', () => parseRedisTarget(url)) ? url : undefined;
  return read.url('REDIS_URL', ['redis', 'rediss'], 'redis or rediss, redis+cluster or rediss+cluster for a cluster, or redis+sentinel or rediss+sentinel for Sentinel');
}

/** The TLS files, read and checked: readable, PEM, a certificate with its key, a key that fits it. */
function readTls(read: EnvReader): RedisTlsOptions | undefined {
  const ca = pemFile(read, 'SSE_REDIS_TLS_CA', 'certificate', /-----BEGIN CERTIFICATE-----/);
  const cert = pemFile(read, 'SSE_REDIS_TLS_CERT', 'certificate', /-----BEGIN CERTIFICATE-----/);
  const key = pemFile(read, 'SSE_REDIS_TLS_KEY', 'private key', /-----BEGIN [A-Z ]*PRIVATE KEY-----/);
  const servername = read.string('SSE_REDIS_TLS_SERVERNAME');
  if (servername !== undefined && !/^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?$/.test(servername)) {
    read.problems.push(`SSE_REDIS_TLS_SERVERNAME=${JSON.stringify(servername)} must be a DNS name`);
  }
  const certSet = read.string('SSE_REDIS_TLS_CERT') !== undefined;
  const keySet = read.string('SSE_REDIS_TLS_KEY') !== undefined;
  if (certSet && !keySet) read.problems.push('SSE_REDIS_TLS_CERT is set without SSE_REDIS_TLS_KEY: a client certificate needs its private key');
  if (keySet && !certSet) read.problems.push('SSE_REDIS_TLS_KEY is set without SSE_REDIS_TLS_CERT: a private key needs its client certificate');
  if (ca) tryContext(read, 'SSE_REDIS_TLS_CA', () => createSecureContext({ ca }));
  if (cert && key) tryContext(read, 'SSE_REDIS_TLS_CERT / SSE_REDIS_TLS_KEY', () => createSecureContext({ cert, key }));
  if (ca === undefined && cert === undefined && key === undefined && servername === undefined) return undefined;
  return {
    ...(ca === undefined ? {} : { ca }),
    ...(cert === undefined ? {} : { cert }),
    ...(key === undefined ? {} : { key }),
    ...(servername === undefined ? {} : { servername }),
  };
}

function pemFile(read: EnvReader, name: string, what: string, marker: RegExp): Buffer | undefined {
  const path = read.string(name);
  if (path === undefined) return undefined;
  let content: Buffer;
  try {
    content = readFileSync(path);
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    read.problems.push(`${name}: cannot read ${JSON.stringify(path)} (${reason})`);
    return undefined;
  }
  if (!marker.test(content.toString('latin1'))) {
    read.problems.push(`${name}: ${JSON.stringify(path)} holds no PEM ${what}`);
    return undefined;
  }
  return content;
}

function tryContext(read: EnvReader, names: string, make: () => unknown): void {
  try {
    make();
  } catch (error) {
    read.problems.push(`${names}: ${(error as Error).message}`);
  }
}
