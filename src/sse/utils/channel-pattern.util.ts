/**
 * Channel patterns: dot-separated segments where `*` stands for exactly one segment
 * (`prices.*` matches `prices.eur`, not `prices` nor `prices.eur.usd`); anything else
 * matches itself.
 */
export function matchesChannelPattern(pattern: string, channel: string): boolean {
  if (!pattern.includes('*')) return pattern === channel;
  const want = pattern.split('.');
  const have = channel.split('.');
  return want.length === have.length && want.every((segment, i) => segment === '*' || segment === have[i]);
}
