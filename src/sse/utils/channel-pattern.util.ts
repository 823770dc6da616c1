/**
 * Channel patterns of token claims and `SSE_PUBLIC_CHANNELS`: dot-separated segments where
 * `*` matches exactly one segment, `**` (last segment only) one or more, and `{sub}` stands
 * for the token's subject, taken literally. Everything else matches itself.
 *
 *   orders.*      orders.eu, orders.us        not orders, orders.eu.paris
 *   orders.**     orders.eu, orders.eu.paris  not orders
 *   user.{sub}    user.alice (subject alice)  never without a subject
 */

const SEGMENT = /^(?:\*|\*\*|(?:[A-Za-z0-9_:-]|\{sub\})*)$/;
const MAX_PATTERN_LENGTH = 256;

export interface ParsedPattern {
  /** Why the pattern is unusable, or undefined. */
  readonly problem?: string;
}

/** Checks a pattern's syntax (configuration and claims alike). */
export function parseChannelPattern(pattern: string): ParsedPattern {
  if (pattern.length === 0 || pattern.length > MAX_PATTERN_LENGTH) {
    return { problem: `pattern ${JSON.stringify(pattern.slice(0, 40))} must be 1-${MAX_PATTERN_LENGTH} characters` };
  }
  const segments = pattern.split('.');
  for (const [i, segment] of segments.entries()) {
    if (!SEGMENT.test(segment)) {
      return { problem: `pattern ${JSON.stringify(pattern)}: segment ${JSON.stringify(segment)} may be *, ** or A-Z a-z 0-9 _ : - and {sub}` };
    }
    if (segment === '**' && i !== segments.length - 1) {
      return { problem: `pattern ${JSON.stringify(pattern)}: ** may only be the last segment` };
    }
  }
  return {};
}

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The regular expression of one pattern for `subject`, or null when it can never match. */
export function patternRegExp(pattern: string, subject: string | undefined): RegExp | null {
  if (parseChannelPattern(pattern).problem) return null;
  const parts: string[] = [];
  for (const segment of pattern.split('.')) {
    if (segment === '*') parts.push('[^.]+');
    else if (segment === '**') parts.push('[^.]+(?:\\.[^.]+)*');
    else {
      const pieces = segment.split('{sub}');
      if (pieces.length > 1 && !subject) return null;
      parts.push(pieces.map(escape).join(escape(subject ?? '')));
    }
  }
  return new RegExp(`^${parts.join('\\.')}$`);
}

/** A predicate over channel names: true when any of `patterns` matches. Bad patterns match nothing. */
export function channelMatcher(patterns: readonly string[], subject?: string): (channel: string) => boolean {
  const expressions = patterns.map((p) => patternRegExp(p, subject)).filter((r): r is RegExp => r !== null);
  return (channel) => expressions.some((r) => r.test(channel));
}
