import { channelMatcher, parseChannelPattern, patternRegExp } from './channel-pattern.util.js';

describe('channel patterns', () => {
  const matches = (pattern: string, channel: string, subject?: string) => channelMatcher([pattern], subject)(channel);

  it('matches literal names exactly', () => {
    expect(matches('orders', 'orders')).toBe(true);
    expect(matches('orders', 'orders2')).toBe(false);
    expect(matches('orders', 'Orders')).toBe(false);
    expect(matches('a.b', 'a.b')).toBe(true);
    expect(matches('a.b', 'aXb')).toBe(false);
  });

  it('matches * to exactly one non-empty segment', () => {
    expect(matches('orders.*', 'orders.eu')).toBe(true);
    expect(matches('orders.*', 'orders')).toBe(false);
    expect(matches('orders.*', 'orders.')).toBe(false);
    expect(matches('orders.*', 'orders.eu.paris')).toBe(false);
    expect(matches('*.created', 'orders.created')).toBe(true);
    expect(matches('*.created', 'a.b.created')).toBe(false);
    expect(matches('*', 'orders')).toBe(true);
    expect(matches('*', 'orders.eu')).toBe(false);
  });

  it('matches ** (last segment) to one or more segments', () => {
    expect(matches('orders.**', 'orders.eu')).toBe(true);
    expect(matches('orders.**', 'orders.eu.paris')).toBe(true);
    expect(matches('orders.**', 'orders')).toBe(false);
    expect(matches('**', 'anything.at.all')).toBe(true);
    expect(parseChannelPattern('a.**.b').problem).toMatch(/last segment/);
  });

  it('puts the subject in literally, and never matches {sub} without one', () => {
    expect(matches('user.{sub}', 'user.alice', 'alice')).toBe(true);
    expect(matches('user.{sub}', 'user.bob', 'alice')).toBe(false);
    expect(matches('user.{sub}', 'user.', '')).toBe(false);
    expect(matches('user.{sub}', 'user.alice')).toBe(false);
    expect(matches('user.{sub}.inbox', 'user.a.b.inbox', 'a.b')).toBe(true);
    // Subjects are never patterns: a subject of "*" or "." matches only itself.
    expect(matches('user.{sub}', 'user.x', '*')).toBe(false);
    expect(matches('user.{sub}', 'user.x', '.')).toBe(false);
    expect(matches('user.{sub}', 'user.x', '[a-z]')).toBe(false);
    expect(matches('u-{sub}-x', 'u-alice-x', 'alice')).toBe(true);
  });

  it('refuses bad syntax, and a bad pattern matches nothing', () => {
    for (const bad of ['', 'a b', 'orders.*x', 'a.{user}', 'a/b', 'x'.repeat(257), 'a.***']) {
      expect(parseChannelPattern(bad).problem).toEqual(expect.any(String));
      expect(patternRegExp(bad, 's')).toBeNull();
    }
    expect(channelMatcher(['a b', 'ok'])('ok')).toBe(true);
    expect(channelMatcher([])('ok')).toBe(false);
  });

  it('any of several patterns may match', () => {
    const allowed = channelMatcher(['orders.*', 'user.{sub}'], 'alice');
    expect(['orders.eu', 'user.alice', 'user.bob', 'orders'].map(allowed)).toEqual([true, true, false, false]);
  });
});
