import type { HubMessage, StreamSpec } from '../client.types.js';
import { streamPath } from '../hub/stream-url.util.js';

interface Tracked {
  readonly spec: StreamSpec;
  readonly listener: (message: HubMessage) => void;
  /** Where this subscriber stands: the last event's id, or a position the hub reported. */
  position?: string;
  /** Its stream ended `unauthorized`: another hub must not open it again by itself. */
  refused?: boolean;
}

/**
 * A tab's subscriptions to a hub it does not hold (a shared worker, a leader tab), with the
 * position each one has reached, so that another hub can take them over from exactly there
 * (no event lost, none twice).
 */
export class TrackedSubscriptions {
  private readonly subs = new Map<number, Tracked>();
  private next = 1;

  add(spec: StreamSpec, listener: (message: HubMessage) => void): number {
    const sub = this.next++;
    this.subs.set(sub, { spec, listener });
    return sub;
  }

  remove(sub: number): boolean {
    return this.subs.delete(sub);
  }

  ids(): number[] {
    return [...this.subs.keys()];
  }

  /** The subscriptions another hub should take over: all but those whose stream was refused for its token. */
  resumable(): number[] {
    return [...this.subs].filter(([, tracked]) => !tracked.refused).map(([sub]) => sub);
  }

  clear(): void {
    this.subs.clear();
  }

  deliver(sub: number, message: HubMessage): void {
    const tracked = this.subs.get(sub);
    if (!tracked) return;
    if (message.kind === 'event') tracked.position = streamPath(tracked.spec.channels, message.event.id);
    else if (message.kind === 'position') tracked.position = message.url;
    else if (message.state.status === 'unauthorized') tracked.refused = true;
    tracked.listener(message);
  }

  /** The spec that continues subscription `sub` from where it stands. */
  resumeSpec(sub: number): StreamSpec {
    const { spec, position } = this.subs.get(sub)!;
    return position === undefined ? spec : { ...spec, startUrl: position };
  }
}
