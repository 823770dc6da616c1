/** Small typed readers of environment variables; each problem is collected, not thrown. */
export class EnvReader {
  readonly problems: string[] = [];

  constructor(private readonly env: NodeJS.ProcessEnv) {}

  string(name: string): string | undefined {
    const value = this.env[name];
    return value === undefined || value.trim() === '' ? undefined : value.trim();
  }

  integer(name: string, fallback: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
    const raw = this.string(name);
    if (raw === undefined) return fallback;
    if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) {
      this.problems.push(`${name}=${JSON.stringify(raw)} must be a whole number from ${min} to ${max}`);
      return fallback;
    }
    return Number(raw);
  }

  optionalInteger(name: string, min: number, max = Number.MAX_SAFE_INTEGER): number | undefined {
    return this.string(name) === undefined ? undefined : this.integer(name, min, min, max);
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

  /** A decimal number in [min, max]; `allowZero` also accepts 0 (meaning "off"). */
  decimal(name: string, fallback: number, min: number, max: number, allowZero = false): number {
    const raw = this.string(name);
    if (raw === undefined) return fallback;
    const value = Number(raw);
    if (!/^\d+(\.\d+)?$/.test(raw) || !((value >= min && value <= max) || (allowZero && value === 0))) {
      this.problems.push(`${name}=${JSON.stringify(raw)} must be a number from ${min} to ${max}${allowZero ? ', or 0 for off' : ''}`);
      return fallback;
    }
    return value;
  }

  /** A comma-separated list, each item matching `pattern`. */
  list(name: string, pattern: RegExp, description: string): string[] {
    const raw = this.string(name);
    if (raw === undefined) return [];
    const items = raw.split(',').map((item) => item.trim()).filter(Boolean);
    const bad = items.filter((item) => !pattern.test(item));
    if (bad.length > 0) this.problems.push(`${name}: ${bad.map((b) => JSON.stringify(b)).join(', ')} ${description}`);
    return items.filter((item) => pattern.test(item));
  }

  pattern(name: string, fallback: string, pattern: RegExp, description: string): string {
    const raw = this.string(name);
    if (raw === undefined) return fallback;
    if (!pattern.test(raw)) {
      this.problems.push(`${name}=${JSON.stringify(raw)} ${description}`);
      return fallback;
    }
    return raw;
  }
}
