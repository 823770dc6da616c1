import type { IncomingMessage } from 'node:http';
import { ClientAddressResolver, normalizeAddress } from './client-address.util.js';

const request = (peer: string, forwarded?: string | string[]) =>
  ({ socket: { remoteAddress: peer }, headers: forwarded === undefined ? {} : { 'x-forwarded-for': forwarded } }) as unknown as IncomingMessage;

describe('ClientAddressResolver', () => {
  it('uses the peer and ignores X-Forwarded-For when no proxy is trusted', () => {
    const resolver = new ClientAddressResolver([]);
    expect(resolver.resolve(request('203.0.113.9', '1.2.3.4'))).toBe('203.0.113.9');
    expect(resolver.resolve(request('::ffff:203.0.113.9'))).toBe('203.0.113.9');
  });

  it('ignores X-Forwarded-For from a peer that is not trusted', () => {
    const resolver = new ClientAddressResolver(['10.0.0.1']);
    expect(resolver.resolve(request('203.0.113.9', '1.2.3.4'))).toBe('203.0.113.9');
  });

  it('takes the rightmost untrusted hop behind trusted proxies', () => {
    const resolver = new ClientAddressResolver(['10.0.0.0/8', '::1']);
    expect(resolver.resolve(request('10.0.0.1', '198.51.100.7'))).toBe('198.51.100.7');
    // A client-written first hop is never believed.
    expect(resolver.resolve(request('10.0.0.1', '6.6.6.6, 198.51.100.7, 10.1.2.3'))).toBe('198.51.100.7');
    expect(resolver.resolve(request('::1', ['6.6.6.6', '198.51.100.7']))).toBe('198.51.100.7');
    expect(resolver.resolve(request('::ffff:10.0.0.1', '198.51.100.7'))).toBe('198.51.100.7');
  });

  it('stops at garbage and keeps the last believable address', () => {
    const resolver = new ClientAddressResolver(['10.0.0.1']);
    expect(resolver.resolve(request('10.0.0.1', 'not-an-ip'))).toBe('10.0.0.1');
    expect(resolver.resolve(request('10.0.0.1', '198.51.100.7, <script>'))).toBe('10.0.0.1');
    expect(resolver.resolve(request('10.0.0.1', ''))).toBe('10.0.0.1');
    expect(resolver.resolve(request('10.0.0.1', '10.0.0.1'))).toBe('10.0.0.1');
  });

  it('normalizes IPv4-mapped IPv6 addresses', () => {
    expect(normalizeAddress('::FFFF:1.2.3.4')).toBe('1.2.3.4');
    expect(normalizeAddress('2001:DB8::1')).toBe('2001:db8::1');
  });
});
