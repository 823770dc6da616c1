import { types } from 'node:util';
import { TOKEN_COOKIE, TOKEN_QUERY } from '../../sse/internals.js';

// Secrets that must never reach a log line. Two nets: names (a query parameter, cookie or
// object key that names a credential has its whole value replaced) and shapes (bearer
// credentials and anything that looks like a JWT, wherever they appear in text).

/** What a redacted value is replaced with. */
export const REDACTED = '[REDACTED]';

/**
 * Words that make a name credential-bearing, once the name is lower-cased and stripped of
 * everything but letters and digits (so `Access-Token`, `%74oken` decoded, `token[]`,
 * ` TOKEN` and `sse_token` all count). Wider on purpose: it must cover every place the
 * gateway takes a token from (`token-sources.util.ts`), never fewer.
 */
const CREDENTIAL_WORDS = ['token', 'jwt', 'bearer', 'authorization', 'cookie', 'secret', 'passw', 'apikey', 'credential', 'signature'];
const CREDENTIAL_NAMES = new Set(['auth', 'sig', 'key']);

/** Whether a parameter, cookie or field called `name` carries a credential. */
export function isCredentialName(name: string): boolean {
  const folded = name.toLowerCase().replace(/[^a-z0-9]/g, '');
  return CREDENTIAL_NAMES.has(folded) || CREDENTIAL_WORDS.some((word) => folded.includes(word));
}

// The gateway's own names must be covered, whatever the word list becomes.
for (const name of [TOKEN_QUERY, TOKEN_COOKIE, 'authorization']) {
  if (!isCredentialName(name)) throw new Error(`redaction misses the credential name ${name}`);
}

/** A credential-looking name: anything up to `=` that contains one of the words above. */
const NAME = String.raw`[^\s=&;?#,"'<>]*?(?:token|jwt|secret|passw|api[_-]?key|credential)[^\s=&;?#,"'<>]*`;

const REPLACEMENTS: readonly [RegExp, string][] = [
  // name=value in URLs, cookies and `key = value` text; a quoted value goes whole.
  [new RegExp(String.raw`((?:^|[\s?&;,])${NAME}\s*=\s*)(?:"[^"]*"|[^&;\s#,"'<>]*)`, 'gi'), `$1${REDACTED}`],
  [/\b(Bearer|Basic)(\s+)[A-Za-z0-9._~+/=%-]+/gi, `$1$2${REDACTED}`],
  [/eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*/g, '[REDACTED-JWT]'],
  [/eyJ[A-Za-z0-9_.-]{8,}/g, '[REDACTED-JWT]'],
];

/** `text` with every token in it replaced by `[REDACTED]`. */
export function redactSecrets(text: string): string {
  let out = text;
  for (const [pattern, replacement] of REPLACEMENTS) out = out.replace(pattern, replacement);
  return out;
}

const MAX_DEPTH = 8;

/**
 * A log value with every secret removed, before any formatting: strings through
 * `redactSecrets`, plain objects and arrays field by field (a credential-named field loses
 * its whole value), errors as copies of the same class with message, stack, `cause`,
 * `errors` and own fields redacted. Anything else (class instances, functions) is returned
 * as it is. Never changes its argument; never throws.
 */
export function redactLogValue(value: unknown): unknown {
  return redact(value, 0, new WeakMap());
}

function redact(value: unknown, depth: number, seen: WeakMap<object, unknown>): unknown {
  if (typeof value === 'string') return redactSecrets(value);
  if (value === null || typeof value !== 'object') return value;
  const done = seen.get(value);
  if (done !== undefined) return done;
  if (depth > MAX_DEPTH) return '[Truncated]';
  if (types.isNativeError(value) || value instanceof Error) return redactError(value as Error, depth, seen);
  if (Array.isArray(value)) {
    const copy: unknown[] = [];
    seen.set(value, copy);
    for (const item of value) copy.push(redact(item, depth + 1, seen));
    return copy;
  }
  // Plain objects only (of any realm: their prototype is a root prototype, or none).
  const proto = Object.getPrototypeOf(value);
  if (proto !== null && Object.getPrototypeOf(proto) !== null) return value;
  const copy: Record<string, unknown> = proto === null ? Object.create(null) : {};
  seen.set(value, copy);
  for (const [key, field] of Object.entries(value)) {
    copy[key] = isCredentialName(key) && field !== undefined && field !== null ? REDACTED : redact(field, depth + 1, seen);
  }
  return copy;
}

/** A copy with the same prototype and the same own properties (enumerable or not), redacted. */
function redactError(error: Error, depth: number, seen: WeakMap<object, unknown>): Error {
  // A real Error (not Object.create), so that util.inspect and Nest still treat it as one.
  const copy = new Error();
  Object.setPrototypeOf(copy, Object.getPrototypeOf(error));
  for (const key of Reflect.ownKeys(copy)) delete (copy as unknown as Record<PropertyKey, unknown>)[key];
  seen.set(error, copy);
  for (const key of Reflect.ownKeys(error)) {
    const descriptor = Object.getOwnPropertyDescriptor(error, key);
    if (!descriptor) continue;
    let field: unknown;
    try {
      field = 'value' in descriptor ? descriptor.value : descriptor.get?.call(error);
    } catch {
      continue;
    }
    const redacted = typeof key === 'string' && isCredentialName(key) && field != null ? REDACTED : redact(field, depth + 1, seen);
    Object.defineProperty(copy, key, { value: redacted, writable: true, enumerable: descriptor.enumerable ?? false, configurable: true });
  }
  return copy;
}
