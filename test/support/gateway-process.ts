import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from './ports.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const ENTRY = path.join(ROOT, 'dist/main.js');

/** A real gateway process (`node dist/main.js`), as a deployment runs it. */
export interface GatewayProcess {
  readonly port: number;
  readonly url: string;
  readonly instanceId: string;
  readonly child: ChildProcess;
  /** Everything it printed so far (stdout and stderr). */
  output(): string;
  /** Resolves with the exit code (or the signal's name). */
  readonly exited: Promise<number | string>;
  /** SIGTERM, then SIGKILL if it has not exited within `graceMs`. */
  stop(graceMs?: number): Promise<number | string>;
  kill(): Promise<number | string>;
}

/**
 * Starts `dist/main.js` (run `npm run build` first: `npm run test:e2e` does) on a free
 * loopback port and waits for its `listening on` line. `entry`: another script that takes
 * `PORT` and prints that line (an application built on the module, say). `fileLimit`: the
 * process' limit of open file descriptors (RLIMIT_NOFILE, soft and hard).
 */
export async function startGatewayProcess(
  env: Record<string, string> = {},
  options: { port?: number; timeoutMs?: number; entry?: string; fileLimit?: number } = {},
): Promise<GatewayProcess> {
  const entry = options.entry ?? ENTRY;
  if (!existsSync(ENTRY)) throw new Error(`${ENTRY} is missing: run npm run build first`);
  const port = options.port ?? (await freePort());
  const instanceId = env.INSTANCE_ID ?? `gw-${port}`;
  // util-linux' prlimit sets the limit and execs node: the child is the gateway itself.
  const [command, args] =
    options.fileLimit === undefined ? [process.execPath, [entry]] : ['prlimit', [`--nofile=${options.fileLimit}`, process.execPath, entry]];
  const child = spawn(command, args, {
    cwd: ROOT,
    env: { PATH: process.env.PATH, HOST: '127.0.0.1', PORT: String(port), INSTANCE_ID: instanceId, NO_COLOR: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | string>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal ?? -1)));

  const deadline = Date.now() + (options.timeoutMs ?? 15_000);
  let exitedEarly: number | string | undefined;
  void exited.then((code) => (exitedEarly = code));
  while (!/listening on/.test(output)) {
    if (exitedEarly !== undefined) throw new Error(`gateway exited (${exitedEarly}) before listening:\n${output}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`gateway did not log "listening on" in time:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 20));
  }

  const stop = async (graceMs = 10_000) => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    const code = await exited;
    clearTimeout(timer);
    return code;
  };
  const kill = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    return exited;
  };
  return { port, url: `http://127.0.0.1:${port}`, instanceId, child, output: () => output, exited, stop, kill };
}

/** Runs `dist/main.js` with `env` and returns how it exited and what it said (for bad settings). */
export function runGatewayExpectingExit(env: Record<string, string>, timeoutMs = 10_000): Promise<{ code: number | string; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [ENTRY], { cwd: ROOT, env: { PATH: process.env.PATH, HOST: '127.0.0.1', NO_COLOR: '1', ...env } });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`did not exit within ${timeoutMs} ms:\n${output}`));
    }, timeoutMs);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? signal ?? -1, output });
    });
  });
}
