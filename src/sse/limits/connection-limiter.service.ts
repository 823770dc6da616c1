/**
 * Streams open per client address on this instance. A slot is taken when a stream is
 * admitted and given back when its response closes, whatever closed it.
 */
export class ConnectionLimiter {
  private readonly open = new Map<string, number>();

  constructor(readonly maxPerAddress: number | undefined) {}

  /** Takes a slot for `address`; false when it holds its maximum already. */
  acquire(address: string): boolean {
    const count = this.open.get(address) ?? 0;
    if (this.maxPerAddress !== undefined && count >= this.maxPerAddress) return false;
    this.open.set(address, count + 1);
    return true;
  }

  release(address: string): void {
    const count = this.open.get(address) ?? 0;
    if (count <= 1) this.open.delete(address);
    else this.open.set(address, count - 1);
  }

  count(address: string): number {
    return this.open.get(address) ?? 0;
  }
}
