import { carriesToken, joinUrl, streamPath, urlPosition } from './stream-url.util.js';

describe('stream urls', () => {
  it('one channel: its own path, the position in ?lastEventId=', () => {
    expect(streamPath(['orders'])).toBe('/channels/orders/events');
    expect(streamPath(['a:b'], '1-0.k+/')).toBe('/channels/a%3Ab/events?lastEventId=1-0.k%2B%2F');
  });

  it('several channels: /events with one channel= each, in the given order', () => {
    expect(streamPath(['b', 'a'], 'tok')).toBe('/events?channel=b&channel=a&lastEventId=tok');
  });

  it('joins a base with or without a trailing slash or a path prefix', () => {
    expect(joinUrl('http://h:1/', '/sync')).toBe('http://h:1/sync');
    expect(joinUrl('http://h:1/gw//', '/sync')).toBe('http://h:1/gw/sync');
  });

  it('reads the position and whether a stream token rides along, from a sync url or one of ours', () => {
    expect(urlPosition('/channels/o/events?lastEventId=1-0.k%2B%2F&token=a.b.c')).toBe('1-0.k+/');
    expect(urlPosition(streamPath(['a', 'b'], 'tok='))).toBe('tok=');
    expect(urlPosition('/channels/o/events')).toBeNull();
    expect(carriesToken('/events?channel=a&lastEventId=x&token=a.b.c')).toBe(true);
    expect(carriesToken(streamPath(['token'], 'token'))).toBe(false);
  });
});
