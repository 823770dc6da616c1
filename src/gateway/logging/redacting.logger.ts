import { ConsoleLogger, type LogLevel } from '@nestjs/common';
import { logLevelsFrom, type LogFormat, type LogThreshold } from '../../config/logging.config.js';
import { redactLogValue, redactSecrets } from './redact.util.js';

/** How the gateway's logger writes. */
export interface RedactingLoggerOptions {
  /** `text`: Nest's console format; `json`: one JSON object per line. */
  readonly format: LogFormat;
  /** The least severe level printed. */
  readonly level: LogThreshold;
  /** The instance id, a field of every JSON line. */
  readonly instance: string;
  /** Colours in the text format. Default: NO_COLOR unset and both stdout and stderr terminals. */
  readonly colors?: boolean;
  /** The context of lines logged without one. Default `Gateway`. */
  readonly context?: string;
}

/** The names most log tooling reads; Nest calls `info` "log". */
const JSON_LEVEL_NAMES: Readonly<Record<string, string>> = { log: 'info' };

/** Fields every JSON line starts with, in this order; Nest's own record fills the rest. */
const LEADING_FIELDS = ['time', 'level', 'instance', 'pid', 'context', 'message'] as const;

/**
 * Nest's `ConsoleLogger` (its text format, or its JSON mode) with every secret removed
 * before anything is formatted: messages, the error and its `cause`, the stack and the
 * structured params all go through `redactLogValue` in `printMessages`, the one place both
 * formats pass. JSON lines carry `time` (ISO 8601), `level`, `instance`, `pid`, `context`,
 * `message`, then Nest's `stack`, `error` (`name`, `message`, `stack`, `cause`, own fields
 * such as `code`) and params. Errors without a stack, non-Error values and errors with a
 * cause all print.
 */
export class RedactingLogger extends ConsoleLogger {
  private readonly instance: string;

  constructor(options: RedactingLoggerOptions) {
    const json = options.format === 'json';
    super(options.context ?? 'Gateway', {
      json,
      colors: !json && (options.colors ?? colorsAllowed()),
      logLevels: logLevelsFrom(options.level),
      // Objects logged after the message become fields of the JSON line, not a nested `params`.
      flattenParams: true,
    });
    this.instance = options.instance;
  }

  protected override printMessages(
    messages: unknown[],
    context?: string,
    logLevel?: LogLevel,
    writeStreamType?: 'stdout' | 'stderr',
    errorStack?: unknown,
    params?: Record<string, any>,
  ): void {
    super.printMessages(
      messages.map((message) => redactLogValue(this.resolveMessage(message))),
      context,
      logLevel,
      writeStreamType,
      redactLogValue(errorStack),
      params === undefined ? undefined : (redactLogValue(params) as Record<string, any>),
    );
  }

  /** The text format prints an error's stack on its own after the line; an error may have none. */
  protected override printStackTrace(stack: unknown): void {
    if (typeof stack === 'string' && stack !== '') super.printStackTrace(redactSecrets(stack));
  }

  protected override stringifyJsonLogObject(record: Record<string, unknown>): string {
    const { timestamp, level, context, ...rest } = record;
    const shaped: Record<string, unknown> = {
      time: new Date(typeof timestamp === 'number' ? timestamp : Date.now()).toISOString(),
      level: JSON_LEVEL_NAMES[String(level)] ?? level,
      instance: this.instance,
      pid: rest.pid,
      context: context ?? '',
      // A line always says something, even for `logger.error(undefined)`.
      message: rest.message === undefined ? '' : rest.message,
    };
    for (const [key, value] of Object.entries(rest)) if (!(LEADING_FIELDS as readonly string[]).includes(key)) shaped[key] = value;
    return super.stringifyJsonLogObject(shaped);
  }
}

/** Colour only for people: NO_COLOR unset and both output streams terminals. */
function colorsAllowed(): boolean {
  return !process.env.NO_COLOR && process.stdout.isTTY === true && process.stderr.isTTY === true;
}
