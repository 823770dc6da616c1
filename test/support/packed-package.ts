import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from './ports.js';

// The package as a team gets it: `npm pack` of the built project, installed with npm into
// an application of its own, compiled with tsc and started with node.

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm';
/** The node that runs the applications: this one, or another to check (`SSE_APP_NODE=/path/to/node22`). */
const APP_NODE = process.env.SSE_APP_NODE || process.execPath;

export interface PackedFile {
  readonly path: string;
  readonly size: number;
}

export interface PackedTarball {
  /** Absolute path of the `.tgz`. */
  readonly file: string;
  /** Every file in it, relative to the package root. */
  readonly files: readonly PackedFile[];
  /** Compressed size, bytes. */
  readonly size: number;
  readonly unpackedSize: number;
}

export interface RunResult {
  readonly code: number | null;
  readonly output: string;
}

/** Runs a command to its end; rejects past `timeoutMs` (after killing it). */
export function run(command: string, args: readonly string[], cwd: string, timeoutMs: number, env: NodeJS.ProcessEnv = process.env): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${command} ${args.join(' ')} took over ${timeoutMs} ms:\n${output}`));
    }, timeoutMs);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

/**
 * `npm pack` of the project as it is built (run `npm run build` first: `npm run test:e2e`
 * does), into `destination`. Scripts are skipped: the build is the one already in `dist/`.
 */
export async function packProject(destination: string): Promise<PackedTarball> {
  if (!existsSync(path.join(ROOT, 'dist/sse/index.js'))) throw new Error('dist/ is missing: run npm run build first');
  const packed = await run(NPM, ['pack', '--ignore-scripts', '--json', '--pack-destination', destination], ROOT, 60_000);
  if (packed.code !== 0) throw new Error(`npm pack failed:\n${packed.output}`);
  // npm prints notices on stderr, which run() mixes in: the JSON is the array it printed.
  const json = packed.output.slice(packed.output.indexOf('['), packed.output.lastIndexOf(']') + 1);
  const [entry] = JSON.parse(json) as { filename: string; size: number; unpackedSize: number; files: PackedFile[] }[];
  return { file: path.join(destination, entry!.filename), files: entry!.files, size: entry!.size, unpackedSize: entry!.unpackedSize };
}

/** The version of a package the project itself has installed (the consumers pin the same, so npm's cache serves them). */
export function installedVersion(name: string): string {
  return (JSON.parse(readFileSync(path.join(ROOT, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;
}

/**
 * `npm install` in `dir`: what the npm cache holds is not asked for again (`--prefer-offline`),
 * so with a warm cache (the project's own `npm ci` fills it) nothing needs the network.
 */
export async function npmInstall(dir: string, args: readonly string[] = []): Promise<void> {
  const installed = await run(NPM, ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error', ...args], dir, 240_000);
  if (installed.code !== 0) throw new Error(`npm install in ${dir} failed:\n${installed.output}`);
}

/** Compiles with the project's own TypeScript (the consumers' settings, the consumers' node_modules). */
export function tsc(project: string): Promise<RunResult> {
  return run(process.execPath, [path.join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', project], path.dirname(project), 120_000);
}

/** A node process that logs a `listening on` line when it is ready. */
export interface NodeApp {
  readonly port: number;
  readonly url: string;
  readonly child: ChildProcess;
  output(): string;
  /** Resolves with how it ended: an exit code, or the signal that ended it. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGKILL unless it has already ended. */
  kill(): Promise<unknown>;
}

/** Starts `node <args>` in `cwd` on a free loopback port (`PORT`, `HOST`) and waits for `listening on`. */
export async function startNodeApp(args: readonly string[], cwd: string, env: Record<string, string> = {}, timeoutMs = 20_000): Promise<NodeApp> {
  const port = await freePort();
  const child = spawn(APP_NODE, args, {
    cwd,
    env: { PATH: process.env.PATH, HOST: '127.0.0.1', PORT: String(port), NO_COLOR: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  let ended = false;
  void exited.then(() => (ended = true));
  const deadline = Date.now() + timeoutMs;
  while (!/listening on/.test(output)) {
    if (ended) throw new Error(`node ${args.join(' ')} exited before listening:\n${output}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`node ${args.join(' ')} did not log "listening on" within ${timeoutMs} ms:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  const kill = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    return exited;
  };
  return { port, url: `http://127.0.0.1:${port}`, child, output: () => output, exited, kill };
}
