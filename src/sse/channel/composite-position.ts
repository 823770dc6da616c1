/**
 * The id of a several-channel stream: one opaque token holding the position of every
 * channel, so a reconnect resumes each of them. base64url of a JSON object keeps it safe in
 * an `id:` line, a header and a query string alike.
 */
export class CompositePosition {
  private readonly positions = new Map<string, string>();
  private cached: string | null = null;

  set(channel: string, position: string): void {
    if (this.positions.get(channel) === position) return;
    this.positions.set(channel, position);
    this.cached = null;
  }

  get(channel: string): string | undefined {
    return this.positions.get(channel);
  }

  token(): string {
    return (this.cached ??= Buffer.from(JSON.stringify(Object.fromEntries(this.positions))).toString('base64url'));
  }

  /**
   * Positions per channel read from a token; `null` when it is not a token at all. Values
   * that are not strings are dropped (the broker then judges the channel's position).
   */
  static parse(token: string): Map<string, string> | null {
    if (token.length === 0 || token.length > 64 * 1024 || !/^[A-Za-z0-9_-]+$/.test(token)) return null;
    try {
      const value: unknown = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
      if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
      const positions = new Map<string, string>();
      for (const [channel, position] of Object.entries(value)) {
        if (typeof position === 'string') positions.set(channel, position);
      }
      return positions;
    } catch {
      return null;
    }
  }
}
