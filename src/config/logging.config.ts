import { hostname } from 'node:os';
import { EnvReader } from './env-parsers.js';

/** How log lines are written: Nest's console format, or one JSON object per line. */
export type LogFormat = 'text' | 'json';

/** A threshold: this level and every more severe one are printed. Nest's names (`log` is "info"). */
export type LogThreshold = 'verbose' | 'debug' | 'log' | 'warn' | 'error' | 'fatal';

/** Logging settings (README: Logs). */
export interface LoggingConfig {
  /** `SSE_LOG_FORMAT`: `text` (default) or `json`. */
  readonly format: LogFormat;
  /** `SSE_LOG_LEVEL`: the least severe level printed (default `log`). */
  readonly level: LogThreshold;
}

/** Every level from least to most severe, in Nest's names. */
export const LOG_THRESHOLDS: readonly LogThreshold[] = ['verbose', 'debug', 'log', 'warn', 'error', 'fatal'];

/** Accepted spellings of `SSE_LOG_LEVEL` (case-insensitive), `info` being the common name of Nest's `log`. */
const LEVEL_NAMES: Readonly<Record<string, LogThreshold>> = {
  verbose: 'verbose',
  debug: 'debug',
  log: 'log',
  info: 'log',
  warn: 'warn',
  error: 'error',
  fatal: 'fatal',
};

/** Reads `SSE_LOG_FORMAT` and `SSE_LOG_LEVEL`; problems go to `read.problems` with the others. */
export function readLoggingConfig(read: EnvReader): LoggingConfig {
  const rawFormat = read.string('SSE_LOG_FORMAT')?.toLowerCase();
  let format: LogFormat = 'text';
  if (rawFormat === 'json' || rawFormat === 'text') format = rawFormat;
  else if (rawFormat !== undefined) read.problems.push(`SSE_LOG_FORMAT=${JSON.stringify(rawFormat)} must be text or json`);

  const rawLevel = read.string('SSE_LOG_LEVEL')?.toLowerCase();
  let level: LogThreshold = 'log';
  if (rawLevel !== undefined) {
    const known = LEVEL_NAMES[rawLevel];
    if (known) level = known;
    else read.problems.push(`SSE_LOG_LEVEL=${JSON.stringify(rawLevel)} must be one of fatal, error, warn, info (or log), debug, verbose`);
  }
  return { format, level };
}

/** The levels Nest's logger prints for a threshold: it and every more severe one. */
export function logLevelsFrom(threshold: LogThreshold): LogThreshold[] {
  return LOG_THRESHOLDS.slice(LOG_THRESHOLDS.indexOf(threshold));
}

/** `INSTANCE_ID` (1-128 visible ASCII characters), by default host name and process id. */
export function readInstanceId(read: EnvReader): string {
  return read.pattern('INSTANCE_ID', `${hostname()}-${process.pid}`, /^[\x21-\x7e]{1,128}$/, 'must be 1-128 visible ASCII characters');
}

/**
 * The log settings to report a configuration that could not be loaded with: those that are
 * valid, defaults for the rest (the configuration error names the bad ones).
 */
export function fallbackLogSettings(env: NodeJS.ProcessEnv = process.env): { readonly logging: LoggingConfig; readonly instanceId: string } {
  const read = new EnvReader(env);
  return { logging: readLoggingConfig(read), instanceId: readInstanceId(read) };
}
