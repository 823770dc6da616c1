/**
 * The gateway's stream paths: one channel on `/channels/{c}/events`, several on one
 * `/events?channel=a&channel=b`; a position goes in `?lastEventId=` (an id the client saw,
 * or the one `POST /sync` answered).
 */
export function streamPath(channels: readonly string[], lastEventId?: string): string {
  const position = lastEventId === undefined ? '' : `lastEventId=${encodeURIComponent(lastEventId)}`;
  if (channels.length === 1) {
    return `/channels/${encodeURIComponent(channels[0]!)}/events${position ? `?${position}` : ''}`;
  }
  const query = channels.map((channel) => `channel=${encodeURIComponent(channel)}`).join('&');
  return `/events?${query}${position ? `&${position}` : ''}`;
}

/** `base` (absolute, may carry a path prefix) joined with a gateway path. */
export function joinUrl(base: string, path: string): string {
  return `${base.replace(/\/+$/, '')}${path}`;
}
