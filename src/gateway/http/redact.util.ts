// Secrets that must never reach a log line: tokens in query strings, bearer credentials,
// the token cookie, and anything shaped like a JWT wherever it appears.

const REPLACEMENTS: readonly [RegExp, string][] = [
  [/([?&;](?:token|access_token|id_token|jwt)=)[^&\s#"'<>]*/gi, '$1[REDACTED]'],
  [/(sse_token=)[^;\s"']*/gi, '$1[REDACTED]'],
  [/\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/gi, '$1 [REDACTED]'],
  [/eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*/g, '[REDACTED-JWT]'],
  [/eyJ[A-Za-z0-9_.-]{8,}/g, '[REDACTED-JWT]'],
];

/** `text` with every token in it replaced by `[REDACTED]`. */
export function redactSecrets(text: string): string {
  let out = text;
  for (const [pattern, replacement] of REPLACEMENTS) out = out.replace(pattern, replacement);
  return out;
}
