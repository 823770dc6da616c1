import type { OutgoingEvent } from '../sse/interfaces/channel.interface.js';
import type { ChannelEvent } from './client.types.js';

// One event map, declared once, types the publisher (`Channel<OrderEvents>.next`) and the
// client (`client.channel<OrderEvents>(...)`). `npm run typecheck` checks the errors below.
type Order = { id: string; total: number };
type OrderEvents = { 'order.created': Order; 'order.shipped': { id: string } };

describe('event maps shared by server and client', () => {
  it('narrows the payload by the event name on both sides', () => {
    const published: OutgoingEvent<OrderEvents> = { event: 'order.created', data: { id: 'o-1', total: 12.5 } };
    const received = { channel: 'orders', event: 'order.created', id: '1-0.e', data: published.data } as ChannelEvent<OrderEvents>;
    const totals: number[] = [];
    if (received.event === 'order.created') totals.push(received.data.total);
    if (received.event === 'reset') totals.push(received.data.head.length);
    expect(totals).toEqual([12.5]);
  });

  it('rejects a payload that does not match its event name', () => {
    // @ts-expect-error order.shipped carries { id }, not an Order
    const wrongOut: OutgoingEvent<OrderEvents> = { event: 'order.shipped', data: { total: 1 } };
    // @ts-expect-error an event name the map does not have
    const unknown: ChannelEvent<OrderEvents> = { channel: 'orders', event: 'order.lost', id: '2', data: {} };
    expect([wrongOut.event, unknown.event]).toEqual(['order.shipped', 'order.lost']);
  });
});
