/** Milliseconds per unit of a duration (`optionalDuration`). */
const DURATION_UNITS_MS: Readonly<Record<string, number>> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `ms` in the largest unit that divides it: `1s`, `90m`, `365d`. */
function formatDuration(ms: number): string {
  const [unit, size] = Object.entries(DURATION_UNITS_MS).reverse().find(([, size]) => ms % size === 0) ?? ['ms', 1];
  return `${ms / size}${unit}`;
}

/**
 * Small typed readers of environment variables. Each problem is collected, not thrown, so
 * one start-up message names every bad value. Readers answer `undefined` for an unset (or
 * blank) variable: whoever owns the setting fills in its default.
 */
export class EnvReader {
  readonly problems: string[] = [];

  constructor(private readonly env: NodeJS.ProcessEnv) {}

  string(name: string): string | undefined {
    const value = this.env[name];
    return value === undefined || value.trim() === '' ? undefined : value.trim();
  }

  /** A whole number in [min, max]. */
  optionalInteger(name: string, min: number, max = Number.MAX_SAFE_INTEGER): number | undefined {
    const raw = this.string(name);
    if (raw === undefined) return undefined;
    if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) {
      this.problems.push(`${name}=${JSON.stringify(raw)} must be a whole number from ${min} to ${max}`);
      return undefined;
    }
    return Number(raw);
  }

  integer(name: string, fallback: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
    return this.optionalInteger(name, min, max) ?? fallback;
  }

  /** A decimal number in [min, max]; `allowZero` also accepts 0 (meaning "off"). */
  optionalDecimal(name: string, min: number, max: number, allowZero = false): number | undefined {
    const raw = this.string(name);
    if (raw === undefined) return undefined;
    const value = Number(raw);
    if (!/^\d+(\.\d+)?$/.test(raw) || !((value >= min && value <= max) || (allowZero && value === 0))) {
      this.problems.push(`${name}=${JSON.stringify(raw)} must be a number from ${min} to ${max}${allowZero ? ', or 0 for off' : ''}`);
      return undefined;
    }
    return value;
  }

  /**
   * A duration in ms, from a whole number of seconds (`90`) or a whole number with a unit:
   * `ms`, `s`, `m`, `h` or `d` (`1500ms`, `30m`, `7d`); 0 (any unit) is 0. In [min, max] ms,
   * or 0 when `allowZero`.
   */
  optionalDuration(name: string, minMs: number, maxMs: number, allowZero = false): number | undefined {
    const raw = this.string(name);
    if (raw === undefined) return undefined;
    const match = /^(\d{1,15})(ms|s|m|h|d)?$/.exec(raw);
    const ms = match ? Number(match[1]) * DURATION_UNITS_MS[match[2] ?? 's']! : NaN;
    if (!((ms >= minMs && ms <= maxMs) || (allowZero && ms === 0))) {
      this.problems.push(
        `${name}=${JSON.stringify(raw)} must be ${allowZero ? '0 (off) or ' : ''}a duration from ${formatDuration(minMs)} to ${formatDuration(maxMs)}: whole seconds, or a whole number with a unit (ms, s, m, h, d)`,
      );
      return undefined;
    }
    return ms;
  }

  /** `expected` names the accepted schemes in messages; default: `schemes` joined with "or". */
  url(name: string, schemes: readonly string[], expected = schemes.join(' or ')): string | undefined {
    const raw = this.string(name);
    if (raw === undefined) return undefined;
    let scheme: string;
    try {
      scheme = new URL(raw).protocol.replace(/:$/, '');
    } catch {
      this.problems.push(`${name} is not a URL (expected ${expected})`);
      return undefined;
    }
    if (!schemes.includes(scheme)) {
      this.problems.push(`${name} has scheme ${scheme}: expected ${expected}`);
      return undefined;
    }
    return raw;
  }

  /** A comma-separated list, entries trimmed, empty ones dropped; unset: empty. */
  list(name: string): string[] {
    return (this.string(name) ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '');
  }

  optionalPattern(name: string, pattern: RegExp, description: string): string | undefined {
    const raw = this.string(name);
    if (raw === undefined) return undefined;
    if (!pattern.test(raw)) {
      this.problems.push(`${name}=${JSON.stringify(raw)} ${description}`);
      return undefined;
    }
    return raw;
  }

  pattern(name: string, fallback: string, pattern: RegExp, description: string): string {
    return this.optionalPattern(name, pattern, description) ?? fallback;
  }

  /** `true`/`false` (also 1/0, yes/no, on/off). */
  boolean(name: string, fallback: boolean): boolean {
    const raw = this.string(name)?.toLowerCase();
    if (raw === undefined) return fallback;
    if (['1', 'true', 'yes', 'on'].includes(raw)) return true;
    if (['0', 'false', 'no', 'off'].includes(raw)) return false;
    this.problems.push(`${name}=${JSON.stringify(raw)} must be true or false`);
    return fallback;
  }
}
