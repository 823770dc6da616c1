import { isCredentialName, REDACTED } from './redact.util.js';

/**
 * The request target for the access log: the path as it came, and the query rebuilt from
 * `query`, the query the gateway decoded (Express's `request.query`, where the token
 * sources read `?token=`), with the whole value of every credential-named parameter
 * replaced by `[REDACTED]`.
 *
 * Why not redact the raw URL: a parameter can be spelled in many ways that decode to the
 * same name (`?%74oken=`, `?to%6Ben=`, percent-encoded values), and a pattern over the raw
 * text misses some of them; the decoded names are what the gateway acts on, so they are
 * what is judged. Anything after `#` is dropped (the gateway never reads it).
 *
 * @param originalUrl the request target as received (`request.originalUrl`)
 * @param query the decoded query: values are strings, arrays of them, or nested objects
 *   (a query parser that reads `a[b]=c`); other values are dropped
 */
export function accessLogTarget(originalUrl: string, query: unknown): string {
  const end = originalUrl.search(/[?#]/);
  const path = end < 0 ? originalUrl : originalUrl.slice(0, end);
  const pairs: string[] = [];
  if (query !== null && typeof query === 'object') {
    for (const [name, value] of Object.entries(query)) appendPairs(pairs, encodePart(name), value, isCredentialName(name));
  }
  return pairs.length === 0 ? path : `${path}?${pairs.join('&')}`;
}

function appendPairs(pairs: string[], name: string, value: unknown, secret: boolean): void {
  if (Array.isArray(value)) {
    for (const item of value) appendPairs(pairs, name, item, secret);
  } else if (value !== null && typeof value === 'object') {
    if (secret) pairs.push(`${name}=${REDACTED}`);
    else for (const [key, item] of Object.entries(value)) appendPairs(pairs, `${name}[${encodePart(key)}]`, item, isCredentialName(key));
  } else if (typeof value === 'string') {
    pairs.push(`${name}=${secret ? REDACTED : encodePart(value)}`);
  }
}

/** Percent-encoding that keeps `: / @ ,` readable (channel names and positions use them). */
function encodePart(text: string): string {
  // encodeURIComponent throws on a lone surrogate; a log line must not.
  return encodeURIComponent(text.replace(/\p{Surrogate}/gu, '\uFFFD')).replace(/%(3A|2F|40|2C)/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}
