import { BlockList, isIP } from 'node:net';
import type { IncomingMessage } from 'node:http';

/** `::ffff:1.2.3.4` is `1.2.3.4`; anything else as it is. */
export function normalizeAddress(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  return mapped ? mapped[1]! : address.toLowerCase();
}

/**
 * The client's address: the TCP peer, unless the peer is a trusted proxy; then the
 * `X-Forwarded-For` hops are read from the right, skipping trusted proxies, and the first
 * other one is the client. Hops a client wrote itself (left of the first untrusted one)
 * are never believed.
 */
export class ClientAddressResolver {
  private readonly trusted = new BlockList();
  private readonly any: boolean;

  constructor(trustedProxies: readonly string[]) {
    for (const entry of trustedProxies) {
      const [address, bits] = entry.split('/');
      const type = isIP(address!) === 6 ? 'ipv6' : 'ipv4';
      if (bits === undefined) this.trusted.addAddress(normalizeAddress(address!), type);
      else this.trusted.addSubnet(normalizeAddress(address!), Number(bits), type);
    }
    this.any = trustedProxies.length > 0;
  }

  isTrusted(address: string): boolean {
    if (!this.any) return false;
    const family = isIP(address);
    return family !== 0 && this.trusted.check(address, family === 6 ? 'ipv6' : 'ipv4');
  }

  resolve(request: IncomingMessage): string {
    const peer = normalizeAddress(request.socket.remoteAddress ?? 'unknown');
    if (!this.isTrusted(peer)) return peer;
    const header = request.headers['x-forwarded-for'];
    const hops = (Array.isArray(header) ? header.join(',') : (header ?? '')).split(',').map((h) => h.trim()).filter(Boolean);
    let client = peer;
    for (let i = hops.length - 1; i >= 0; i--) {
      const hop = normalizeAddress(hops[i]!);
      if (isIP(hop) === 0) break; // garbage: stop at the last address we could trust
      client = hop;
      if (!this.isTrusted(hop)) break;
    }
    return client;
  }
}
