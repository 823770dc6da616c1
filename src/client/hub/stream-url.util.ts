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

/** The position a stream url starts from (its `lastEventId`), `null` when it has none. */
export function urlPosition(url: string): string | null {
  return new URL(url, 'http://gateway').searchParams.get('lastEventId');
}

/** True when a url carries a stream token (`&token=`, from `POST /sync` with authorization on). */
export function carriesToken(url: string): boolean {
  return new URL(url, 'http://gateway').searchParams.has('token');
}
