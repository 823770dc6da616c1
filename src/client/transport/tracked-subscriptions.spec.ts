import type { HubMessage } from '../client.types.js';
import { TrackedSubscriptions } from './tracked-subscriptions.js';

describe('TrackedSubscriptions', () => {
  const base = 'http://gw';

  it('resumes a subscription from the last event it got, or the last position reported', () => {
    const subs = new TrackedSubscriptions();
    const got: HubMessage[] = [];
    const one = subs.add({ baseUrl: base, channels: ['orders'] }, (m) => got.push(m));
    const two = subs.add({ baseUrl: base, channels: ['a', 'b'] }, () => undefined);
    expect(subs.resumeSpec(one)).toEqual({ baseUrl: base, channels: ['orders'] });

    subs.deliver(one, { kind: 'position', url: '/channels/orders/events?lastEventId=0.e' });
    expect(subs.resumeSpec(one).startUrl).toBe('/channels/orders/events?lastEventId=0.e');
    subs.deliver(one, { kind: 'event', event: { channel: 'orders', event: 'x', id: '5-0.e', data: 1 } });
    expect(subs.resumeSpec(one).startUrl).toBe('/channels/orders/events?lastEventId=5-0.e');
    subs.deliver(two, { kind: 'event', event: { channel: 'b', event: 'x', id: 'tok', data: 1 } });
    expect(subs.resumeSpec(two).startUrl).toBe('/events?channel=a&channel=b&lastEventId=tok');
    expect(got.map((m) => m.kind)).toEqual(['position', 'event']);
  });

  it('forgets a removed subscription and drops what still arrives for it', () => {
    const subs = new TrackedSubscriptions();
    const got: HubMessage[] = [];
    const sub = subs.add({ baseUrl: base, channels: ['c'] }, (m) => got.push(m));
    expect(subs.remove(sub)).toBe(true);
    expect(subs.remove(sub)).toBe(false);
    subs.deliver(sub, { kind: 'position', url: '/x' });
    expect(got).toEqual([]);
    expect(subs.ids()).toEqual([]);
  });

  it('leaves a subscription refused for its token out of a take-over', () => {
    const subs = new TrackedSubscriptions();
    const one = subs.add({ baseUrl: base, channels: ['a'] }, () => undefined);
    const two = subs.add({ baseUrl: base, channels: ['b'] }, () => undefined);
    const state = { instance: null, lastEventId: null, attempt: 0 };
    subs.deliver(one, { kind: 'state', state: { ...state, status: 'unauthorized', error: 'HTTP 403: no' } });
    subs.deliver(two, { kind: 'state', state: { ...state, status: 'reconnecting', error: 'HTTP 503' } });
    // A hub that goes away says closed afterwards: the refusal stays.
    subs.deliver(one, { kind: 'state', state: { ...state, status: 'closed', error: null } });
    expect(subs.resumable()).toEqual([two]);
    expect(subs.ids()).toEqual([one, two]);
  });
});
