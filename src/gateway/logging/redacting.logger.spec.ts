import { Logger } from '@nestjs/common';
import { jest } from '@jest/globals';
import { logFailure } from './log-failure.util.js';
import { RedactingLogger, type RedactingLoggerOptions } from './redacting.logger.js';

const JWT = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJlLXNpZ25hdHVyZQ';
const SIGNATURE = JWT.split('.')[2]!;

/** What `run` wrote to stdout and stderr, line by line. */
function capture(run: () => void): { stdout: string[]; stderr: string[]; all: string } {
  const out: Record<'stdout' | 'stderr', string> = { stdout: '', stderr: '' };
  const spies = (['stdout', 'stderr'] as const).map((name) =>
    jest.spyOn(process[name], 'write').mockImplementation(((chunk: string | Uint8Array) => {
      out[name] += chunk.toString();
      return true;
    }) as typeof process.stdout.write),
  );
  try {
    run();
  } finally {
    for (const spy of spies) spy.mockRestore();
  }
  const lines = (text: string) => text.split('\n').filter((line) => line !== '');
  return { stdout: lines(out.stdout), stderr: lines(out.stderr), all: out.stdout + out.stderr };
}

const json = (options: Partial<RedactingLoggerOptions> = {}) => new RedactingLogger({ format: 'json', level: 'verbose', instance: 'gw-test', ...options });
const text = (options: Partial<RedactingLoggerOptions> = {}) => new RedactingLogger({ format: 'text', level: 'verbose', instance: 'gw-test', ...options });
const parsed = (lines: string[]) => lines.map((line) => JSON.parse(line) as Record<string, any>);

describe('RedactingLogger, JSON format', () => {
  it('writes one object per line with time, level, instance, pid, context and message', () => {
    const before = Date.now();
    const { stdout, stderr } = capture(() => {
      const logger = json();
      logger.log('hello', 'Ctx');
      logger.warn('careful');
      logger.debug('details', 'Ctx');
      logger.verbose('chatter', 'Ctx');
      logger.error('broken', 'Ctx');
    });
    const records = parsed([...stdout, ...stderr]);
    expect(records.map((r) => [r.level, r.context, r.message])).toEqual([
      ['info', 'Ctx', 'hello'],
      ['warn', 'Gateway', 'careful'],
      ['debug', 'Ctx', 'details'],
      ['verbose', 'Ctx', 'chatter'],
      ['error', 'Ctx', 'broken'],
    ]);
    for (const record of records) {
      expect(Object.keys(record).slice(0, 6)).toEqual(['time', 'level', 'instance', 'pid', 'context', 'message']);
      expect(record.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      expect(Date.parse(record.time)).toBeGreaterThanOrEqual(before - 1);
      expect(record).toMatchObject({ instance: 'gw-test', pid: process.pid });
    }
    expect(stderr).toHaveLength(1); // errors go to stderr, the rest to stdout
  });

  it('puts an error’s name, message, stack, fields and cause in `error`, redacted', () => {
    const cause = Object.assign(new Error(`upstream said ${JWT}`), { code: 'ECONNREFUSED' });
    const error = new TypeError('wrapped', { cause });
    const { stderr } = capture(() => json().error('request failed', error, 'Http'));
    expect(stderr).toHaveLength(1);
    const [record] = parsed(stderr);
    expect(record).toMatchObject({ level: 'error', context: 'Http', message: 'request failed' });
    expect(record!.error).toMatchObject({
      name: 'TypeError',
      message: 'wrapped',
      stack: expect.stringMatching(/^TypeError: wrapped\n\s+at /),
      cause: { name: 'Error', message: 'upstream said [REDACTED-JWT]', code: 'ECONNREFUSED', stack: expect.stringContaining('[REDACTED-JWT]') },
    });
    expect(stderr[0]).not.toContain(SIGNATURE);
  });

  it('prints errors without a stack, non-Error values and lazy messages', () => {
    const bare = new Error('no stack');
    delete (bare as { stack?: string }).stack;
    const { stderr, stdout } = capture(() => {
      const logger = json();
      logger.error(bare);
      logFailure(logger, 'it failed', 'a string');
      logFailure(logger, 'it failed', undefined, 'fatal');
      logFailure(logger, 'it failed', { reason: 'odd', token: 'opaque' });
      logger.log(() => `computed ${JWT}`);
      logger.error(undefined);
    });
    const records = parsed([...stdout, ...stderr]);
    expect(records.map((r) => [r.level, r.message])).toEqual([
      ['info', 'computed [REDACTED-JWT]'],
      ['error', 'no stack'],
      ['error', "it failed (a non-Error value was thrown: 'a string')"],
      ['fatal', 'it failed (a non-Error value was thrown: undefined)'],
      ['error', "it failed (a non-Error value was thrown: { reason: 'odd', token: '[REDACTED]' })"],
      ['error', ''],
    ]);
    expect(records[1]!.error).toEqual({ name: 'Error', message: 'no stack' });
  });

  it('redacts messages, a stack given as a string, and structured fields', () => {
    const stack = `Error: x\n    at call (/app/x.js:1:1) ?token=${JWT}`;
    const { stdout, stderr } = capture(() => {
      const logger = json();
      logger.log(`GET /x?token=opaque-secret&a=1`, { channel: 'a', authorization: 'Bearer opaque', url: `/y?access_token=z` }, 'Access');
      logger.error('failed', stack, 'Ctx');
    });
    const [info, error] = parsed([...stdout, ...stderr]);
    expect(info).toMatchObject({ message: 'GET /x?token=[REDACTED]&a=1', channel: 'a', authorization: '[REDACTED]', url: '/y?access_token=[REDACTED]' });
    expect(error!.stack).toBe('Error: x\n    at call (/app/x.js:1:1) ?token=[REDACTED]');
  });

  it('keeps its own fields when params use the same names', () => {
    const { stdout } = capture(() => json().log('m', { time: 'no', instance: 'no', level: 'no', extra: 1 }));
    expect(parsed(stdout)[0]).toMatchObject({ level: 'info', instance: 'gw-test', extra: 1 });
    expect(parsed(stdout)[0]!.time).not.toBe('no');
  });
});

describe('RedactingLogger, threshold', () => {
  it.each([
    ['error', ['error', 'fatal']],
    ['warn', ['warn', 'error', 'fatal']],
    ['log', ['info', 'warn', 'error', 'fatal']],
    ['debug', ['debug', 'info', 'warn', 'error', 'fatal']],
  ] as const)('%s prints %j', (level, printed) => {
    const { stdout, stderr } = capture(() => {
      const logger = json({ level });
      logger.verbose('v');
      logger.debug('d');
      logger.log('l');
      logger.warn('w');
      logger.error('e');
      logger.fatal('f');
    });
    expect(parsed([...stdout, ...stderr]).map((r) => r.level).sort()).toEqual([...printed].sort());
  });
});

describe('RedactingLogger, text format', () => {
  it('keeps Nest’s console format, without colour when told so', () => {
    const { stdout } = capture(() => text({ colors: false }).log('hello', 'Ctx'));
    expect(stdout).toEqual([expect.stringMatching(new RegExp(`^\\[Nest\\] ${process.pid}  - .+ {5}LOG \\[Ctx\\] hello$`))]);
    expect(stdout[0]).not.toContain('\u001b[');
  });

  it('colours only when allowed', () => {
    const { stdout } = capture(() => text({ colors: true }).warn('hello', 'Ctx'));
    expect(stdout[0]).toContain('\u001b[33m');
  });

  it('prints an error without a stack, once, with no TypeError (issue: port in use)', () => {
    const { stderr } = capture(() => {
      const logger = text({ colors: false });
      logger.error('Error: listen EADDRINUSE: address already in use 127.0.0.1:3000', undefined, 'NestApplication');
      logger.error('no stack here', 'Ctx');
      const bare = new Error('bare');
      delete (bare as { stack?: string }).stack;
      logger.error(bare);
    });
    expect(stderr).toHaveLength(3);
    expect(stderr[0]).toMatch(/ERROR \[NestApplication\] Error: listen EADDRINUSE: address already in use 127\.0\.0\.1:3000$/);
    expect(stderr[1]).toMatch(/ERROR \[Ctx\] no stack here$/);
    expect(stderr[2]).toMatch(/ERROR \[Gateway\] \[?Error: bare\]?$/);
  });

  it('prints an error with its stack and cause, redacted', () => {
    const error = new Error(`call with ${JWT}`, { cause: new Error('refused: Bearer abc') });
    const { all } = capture(() => logFailure(text({ colors: false }), 'request failed', error));
    expect(all).toMatch(/ERROR \[Gateway\] request failed\n/);
    expect(all).toMatch(/ERROR \[Gateway\] Error: call with \[REDACTED-JWT\]\n\s+at /);
    expect(all).toContain('[cause]: Error: refused: Bearer [REDACTED]');
    expect(all).not.toContain(SIGNATURE);
  });

  it('redacts a stack given as a string, printed after the line', () => {
    const { stderr } = capture(() => text({ colors: false }).error('failed', `Error: x\n    at f (/a.js:1:1) Bearer ${JWT}`, 'Ctx'));
    expect(stderr.join('\n')).toContain('at f (/a.js:1:1) Bearer [REDACTED]');
    expect(stderr.join('\n')).not.toContain(SIGNATURE);
  });
});

describe('RedactingLogger behind Nest’s Logger', () => {
  afterEach(() => Logger.overrideLogger(new Logger()));

  it('receives every new Logger(context) once made the logger', () => {
    const { stdout, stderr } = capture(() => {
      Logger.overrideLogger(json());
      new Logger('Access').log('GET /x?token=abc 200 1ms');
      logFailure(new Logger('HttpErrorFilter'), 'unhandled', new RangeError('bad'));
    });
    const records = parsed([...stdout, ...stderr]);
    expect(records.map((r) => [r.level, r.context, r.message])).toEqual([
      ['info', 'Access', 'GET /x?token=[REDACTED] 200 1ms'],
      ['error', 'HttpErrorFilter', 'unhandled'],
    ]);
    expect(records[1]!.error).toMatchObject({ name: 'RangeError', message: 'bad' });
  });
});
