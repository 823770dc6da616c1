/** One window of one kind of line. */
interface Window {
  readonly start: number;
  logged: number;
  suppressed: number;
}

/**
 * Writes at most `linesPerWindow` lines of each kind per window, so a flood of bad messages
 * cannot fill the log; the lines left out are summed up in one line when their window ends.
 */
export class LogThrottle {
  private readonly windows = new Map<string, Window>();

  constructor(
    private readonly write: (line: string) => void,
    private readonly summary: (count: number, kind: string, windowMs: number) => string,
    private readonly linesPerWindow: number,
    private readonly windowMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Writes `line` (or counts it as left out) under `kind`. */
  log(kind: string, line: string): void {
    const now = this.now();
    let window = this.windows.get(kind);
    if (!window || now - window.start >= this.windowMs) {
      window = { start: now, logged: 0, suppressed: 0 };
      this.windows.set(kind, window);
    }
    if (window.logged < this.linesPerWindow) {
      window.logged++;
      this.write(line);
      return;
    }
    if (window.suppressed++ === 0) {
      const current = window;
      // Unref'd: a summary must not keep a stopping process alive.
      setTimeout(() => {
        this.write(this.summary(current.suppressed, kind, this.windowMs));
        if (this.windows.get(kind) === current) this.windows.delete(kind);
      }, Math.max(0, current.start + this.windowMs - now)).unref();
    }
  }
}
