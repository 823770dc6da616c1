import { useEffect, useState } from 'react';
import type { ChannelEvent, ConnectionState, EventMap } from '../client.types.js';
import type { SseClient } from '../sse-client.js';

export interface UseChannelOptions {
  /** How many of the latest events `events` keeps (default 100). */
  readonly limit?: number;
  /** `false` keeps the hook idle (no stream), e.g. until a user picks a channel. */
  readonly enabled?: boolean;
}

export interface ChannelView<M extends EventMap> {
  /** The newest event, `undefined` until one arrives. */
  readonly last: ChannelEvent<M> | undefined;
  /** The latest `limit` events, oldest first. */
  readonly events: readonly ChannelEvent<M>[];
  readonly state: ConnectionState;
}

const IDLE: ConnectionState = { status: 'closed', instance: null, lastEventId: null, attempt: 0, error: null };

/**
 * Live events of one channel (or several, on one connection) for a component: the latest
 * event, a bounded list and the connection state. The subscription ends on unmount; under
 * strict mode's double effects the client's short linger lets the second effect reuse the
 * stream the first one opened.
 */
export function useChannel<M extends EventMap = EventMap>(
  client: SseClient,
  channels: string | readonly string[],
  options: UseChannelOptions = {},
): ChannelView<M> {
  const limit = Math.max(1, options.limit ?? 100);
  const enabled = options.enabled ?? true;
  // A new array literal on every render must not resubscribe: key on the names.
  const key = typeof channels === 'string' ? channels : channels.join('\n');
  const [view, setView] = useState<ChannelView<M>>({ last: undefined, events: [], state: IDLE });

  useEffect(() => {
    setView({ last: undefined, events: [], state: IDLE });
    if (!enabled) return undefined;
    const channel = client.channel<M>(key.split('\n'));
    const events = channel.events$.subscribe((event) =>
      setView((view) => ({ ...view, last: event, events: [...view.events.slice(-(limit - 1)), event] })),
    );
    const state = channel.state$.subscribe((state) => setView((view) => ({ ...view, state })));
    return () => {
      events.unsubscribe();
      state.unsubscribe();
    };
  }, [client, key, limit, enabled]);

  return view;
}
