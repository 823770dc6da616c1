import { spawn, spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runGatewayExpectingExit, startGatewayProcess, type GatewayProcess } from './support/gateway-process.js';
import { eventually, freePort } from './support/ports.js';
import { startRedis, type RedisServer } from './support/redis-server.js';
import { openStream, post, request } from './support/sse-client.js';

// The built gateway's logs, as an operator reads them: SSE_LOG_FORMAT=json gives one JSON
// object per line (every line of a run), SSE_LOG_LEVEL is a threshold, and every failure
// is printed once, errors without a stack included.

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const ISO_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;
const LEVELS = ['verbose', 'debug', 'info', 'warn', 'error', 'fatal'];

type LogRecord = { time: string; level: string; instance: string; pid: number; context: string; message: unknown; [field: string]: unknown };

/** Every line of `output`, each parsed as JSON (a line that is not JSON fails the test, naming it). */
function jsonLines(output: string): LogRecord[] {
  const lines = output.split('\n').filter((line) => line !== '');
  return lines.map((line) => {
    try {
      return JSON.parse(line) as LogRecord;
    } catch {
      throw new Error(`not a JSON line: ${JSON.stringify(line)}\nin:\n${output}`);
    }
  });
}

/** The fields every JSON line must carry. */
function expectRecordShape(record: LogRecord, instance: string | RegExp, pid?: number): void {
  expect(record.time).toMatch(ISO_TIME);
  expect(LEVELS).toContain(record.level);
  if (typeof instance === 'string') expect(record.instance).toBe(instance);
  else expect(record.instance).toMatch(instance);
  expect(typeof record.pid).toBe('number');
  if (pid !== undefined) expect(record.pid).toBe(pid);
  expect(typeof record.context).toBe('string');
  expect(record.context).not.toBe('');
  expect(typeof record.message).toBe('string');
}

/** `dist/main.js` started without waiting for its ready line (which a high threshold hides). */
async function startQuietGateway(env: Record<string, string>) {
  const port = await freePort();
  const child = spawn(process.execPath, [path.join(ROOT, 'dist/main.js')], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, HOST: '127.0.0.1', PORT: String(port), INSTANCE_ID: `gw-${port}`, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | string>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal ?? -1)));
  const url = `http://127.0.0.1:${port}`;
  await eventually(() => request('GET', `${url}/health`).then((r) => r.status === 200), 15_000, 'the gateway answering /health');
  return {
    url,
    output: () => output,
    stop: async () => {
      child.kill('SIGTERM');
      return exited;
    },
  };
}

describe('gateway logs', () => {
  const gateways: GatewayProcess[] = [];
  let redis: RedisServer | undefined;
  afterAll(async () => {
    await Promise.all(gateways.map((g) => g.kill()));
    await redis?.stop();
  });

  it('SSE_LOG_FORMAT=json: every line of a run is one JSON object with time, level, instance, pid, context and message', async () => {
    redis = await startRedis();
    const gateway = await startGatewayProcess({ REDIS_URL: redis.url, SSE_LOG_FORMAT: 'json', SSE_ACCESS_LOG: 'true', SSE_DRAIN_MS: '200' });
    gateways.push(gateway);

    expect((await post(`${gateway.url}/channels/logs.a/events`, { data: 1 })).status).toBe(201);
    expect((await request('GET', `${gateway.url}/nowhere?x=1`)).status).toBe(404);
    expect((await request('POST', `${gateway.url}/channels/logs.a/events`, { body: '{bad', headers: { 'content-type': 'application/json' } })).status).toBe(400);
    const stream = await openStream(`${gateway.url}/channels/logs.a/events`);
    expect(stream.status).toBe(200);
    stream.close();
    await eventually(() => gateway.output().split('"context":"Access"').length - 1 >= 4, 5000, 'four access lines');
    // A Redis error path: the broker's connection drops and comes back.
    await redis.restart();
    await eventually(() => /"context":"RedisBroker".*connection back/.test(gateway.output()), 15_000, 'Redis reconnected');
    expect(await gateway.stop()).toBe(0);

    const records = jsonLines(gateway.output());
    for (const record of records) expectRecordShape(record, gateway.instanceId, gateway.child.pid);
    const find = (context: string, pattern: RegExp) => records.filter((r) => r.context === context && pattern.test(String(r.message)));
    expect(find('Gateway', new RegExp(`^instance ${gateway.instanceId} listening on 127\\.0\\.0\\.1:${gateway.port} \\(redis redis://`))).toEqual([
      expect.objectContaining({ level: 'info' }),
    ]);
    expect(find('Access', /^127\.0\.0\.1 POST \/channels\/logs\.a\/events 201 \d+ms$/)).toHaveLength(1);
    expect(find('Access', /^127\.0\.0\.1 GET \/nowhere\?x=1 404 \d+ms$/)).toHaveLength(1);
    expect(find('Access', /^127\.0\.0\.1 POST \/channels\/logs\.a\/events 400 \d+ms$/)).toHaveLength(1);
    expect(find('RedisBroker', /connection lost/).map((r) => r.level)).toContain('warn');
    expect(find('Gateway', /^SIGTERM: closing streams and stopping$/)).toHaveLength(1);
    expect(records.some((r) => r.context === 'NestFactory')).toBe(true); // Nest's own lines too
  });

  it('SSE_LOG_LEVEL is a threshold: nothing below it is printed, in either format', async () => {
    const warn = await startQuietGateway({ SSE_LOG_FORMAT: 'json', SSE_LOG_LEVEL: 'warn', SSE_ACCESS_LOG: 'true' });
    expect((await post(`${warn.url}/channels/a/events`, { data: 1 })).status).toBe(201);
    expect(await warn.stop()).toBe(0);
    const records = jsonLines(warn.output());
    expect(records.map((r) => [r.level, r.context])).toEqual([['warn', 'Auth']]); // AUTHORIZATION IS OFF
    expect(String(records[0]!.message)).toMatch(/^AUTHORIZATION IS OFF/);

    const error = await startQuietGateway({ SSE_LOG_LEVEL: 'error', SSE_ACCESS_LOG: 'true' });
    expect((await post(`${error.url}/channels/a/events`, { data: 1 })).status).toBe(201);
    expect(await error.stop()).toBe(0);
    expect(error.output()).toBe('');

    const verbose = await startGatewayProcess({ SSE_LOG_LEVEL: 'verbose', SSE_ACCESS_LOG: 'true' });
    gateways.push(verbose);
    expect((await post(`${verbose.url}/channels/a/events`, { data: 1 })).status).toBe(201);
    await eventually(() => /LOG \[Access\] 127\.0\.0\.1 POST \/channels\/a\/events 201/.test(verbose.output()), 5000, 'the access line');
  });

  it('text format: Nest’s console lines, no colour when not a terminal', async () => {
    const gateway = await startGatewayProcess({ NO_COLOR: '' });
    gateways.push(gateway);
    const lines = gateway.output().split('\n').filter((line) => line !== '');
    expect(lines.length).toBeGreaterThan(3);
    for (const line of lines) expect(line).toMatch(new RegExp(`^\\[Nest\\] ${gateway.child.pid}  - .+ (LOG|WARN) \\[\\w+\\] `));
    expect(gateway.output()).not.toContain('\u001b[');
  });

  it.each(['text', 'json'])('a second gateway on a port in use (%s): the address-in-use error printed once, exit code 1', async (format) => {
    const first = await startGatewayProcess();
    gateways.push(first);
    const { code, output } = await runGatewayExpectingExit({ PORT: String(first.port), INSTANCE_ID: 'gw-second', SSE_LOG_FORMAT: format });
    expect(code).toBe(1);
    expect(output.match(/address already in use/g)).toHaveLength(1);
    expect(output).toContain(`EADDRINUSE: address already in use 127.0.0.1:${first.port}`);
    expect(output).not.toMatch(/TypeError|Cannot read properties/);
    expect(output).not.toMatch(/listening on/);
    if (format === 'json') {
      const records = jsonLines(output);
      for (const record of records) expectRecordShape(record, 'gw-second');
      expect(records.filter((r) => r.level === 'error')).toEqual([
        expect.objectContaining({ context: 'NestApplication', message: `Error: listen EADDRINUSE: address already in use 127.0.0.1:${first.port}` }),
      ]);
    }
  });

  it('a bad setting is one JSON line in the JSON format, naming every problem', async () => {
    const { code, output } = await runGatewayExpectingExit({ SSE_LOG_FORMAT: 'json', PORT: 'eighty', SSE_LOG_LEVEL: 'loud', INSTANCE_ID: 'gw-bad' });
    expect(code).toBe(1);
    const records = jsonLines(output);
    expect(records).toHaveLength(1);
    expectRecordShape(records[0]!, 'gw-bad');
    expect(records[0]).toMatchObject({ level: 'error', context: 'Config' });
    expect(records[0]!.message).toContain('PORT="eighty" must be a whole number');
    expect(records[0]!.message).toContain('SSE_LOG_LEVEL="loud" must be one of');
  });
});

describe('process error handlers of the built gateway', () => {
  /** Runs `body` in a fresh Node process with the gateway's logger and crash handlers installed. */
  function crash(body: string, format = 'json') {
    const script = `
      import { Logger } from '@nestjs/common';
      import { createGatewayLogger } from './dist/gateway/logging/create-gateway-logger.js';
      import { exitOnProcessErrors } from './dist/gateway/logging/process-errors.util.js';
      createGatewayLogger({ logging: { format: '${format}', level: 'log' }, instanceId: 'gw-crash' });
      exitOnProcessErrors(new Logger('Process'));
      ${body}
    `;
    const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: ROOT, env: { PATH: process.env.PATH, NO_COLOR: '1' }, encoding: 'utf8', timeout: 10_000 });
    return { code: run.status, output: run.stdout + run.stderr };
  }

  it('an uncaught exception with a cause: one fatal line with the error and its cause, redacted, exit code 1', () => {
    const { code, output } = crash(`
      setTimeout(() => { throw new Error('handler failed', { cause: Object.assign(new Error('upstream ?token=s3cr3t-value'), { code: 'EUP' }) }); }, 10);
    `);
    expect(code).toBe(1);
    const records = jsonLines(output);
    expect(records).toHaveLength(1);
    expectRecordShape(records[0]!, 'gw-crash');
    expect(records[0]).toMatchObject({
      level: 'fatal',
      context: 'Process',
      message: 'uncaught exception: the process ends',
      error: { name: 'Error', message: 'handler failed', cause: { message: 'upstream ?token=[REDACTED]', code: 'EUP' } },
    });
    expect(String((records[0]!.error as { stack: string }).stack)).toMatch(/^Error: handler failed\n\s+at /);
    expect(output).not.toContain('s3cr3t');
  });

  it('an unhandled rejection with a non-Error value, and an error without a stack, print and end the process', () => {
    const rejected = crash(`Promise.reject('just a string');`);
    expect(rejected.code).toBe(1);
    expect(jsonLines(rejected.output)).toEqual([
      expect.objectContaining({ level: 'fatal', message: "unhandled promise rejection: the process ends (a non-Error value was thrown: 'just a string')" }),
    ]);

    const bare = crash(`const e = new RangeError('no stack at all'); delete e.stack; setTimeout(() => { throw e; }, 10);`, 'text');
    expect(bare.code).toBe(1);
    expect(bare.output).toMatch(/FATAL \[Process\] uncaught exception: the process ends\n/);
    expect(bare.output).toMatch(/FATAL \[Process\] \[?RangeError: no stack at all\]?\n/);
    expect(bare.output).not.toMatch(/TypeError/);
  });
});
