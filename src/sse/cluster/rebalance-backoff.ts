/** Settings of `ShedBackoff`, all in ms except `minSample`. */
export interface ShedBackoffOptions {
  /**
   * Time within which a shed client is back on some instance and counted there: the longest
   * reconnect delay it is told plus one presence interval (the others' reports are that old).
   */
  readonly settleMs: number;
  /** Streams shed before the effect is judged: few clients prove nothing either way. */
  readonly minSample: number;
  /** The first pause; each further back-off in a row doubles it, up to `maxPauseMs`. */
  readonly firstPauseMs: number;
  readonly maxPauseMs: number;
}

/**
 * Below this share of the shed streams staying away, shedding counts as having no effect.
 * Low on purpose: a move that works only in part still evens the spread out, only slower
 * (a balancer that spreads the moved clients over every instance, this one included, returns
 * k/N of them when k of N instances shed); what must stop is the move that undoes itself.
 */
export const MIN_SHED_EFFECT = 0.1;

/** After a window that worked, the next one is this many times larger: fewer holds. */
const TRUSTED_WINDOW_FACTOR = 4;

/** May this instance shed now? */
export type ShedDecision =
  | { readonly kind: 'shed' }
  /** The window is full: shed nothing before `untilMs` (its clients are landing), then it is judged. */
  | { readonly kind: 'holding'; readonly untilMs: number }
  /** In a pause: shed nothing before `untilMs` (ms since the Unix epoch). */
  | { readonly kind: 'paused'; readonly untilMs: number }
  /** Shedding just proved to have no effect: a pause starts (say so, once). */
  | {
      readonly kind: 'backed-off';
      readonly pauseMs: number;
      readonly untilMs: number;
      /** Back-offs in a row, this one included. */
      readonly backoffs: number;
      /** Streams shed in the window judged. */
      readonly shed: number;
      /** How many of them the counts say stayed away (at most `shed`, at least 0). */
      readonly stayedAway: number;
    };

/** Where the back-off stands, for the cluster view. */
export interface BackoffState {
  /** End of the current pause (ms since the Unix epoch), or null when not paused. */
  readonly pausedUntil: number | null;
  /** Back-offs in a row so far (0 once shedding worked again). */
  readonly backoffs: number;
}

interface Window {
  /** This instance's excess over the mean when the window opened. */
  readonly excess: number;
  /** Streams to shed before it is judged. */
  readonly size: number;
  shed: number;
  lastShedAt: number;
}

/**
 * Notices when shedding has no effect, and pauses it with growing pauses.
 *
 * Shedding works when the streams it closes come back on other instances: this instance's
 * excess over the cluster mean then falls by about as many streams as it shed. When the
 * clients come back here instead (a balancer that knows only this instance, or an instance
 * in the mean that no client can reach), the excess stays where it was, and shedding more
 * only cuts streams for nothing. So shedding goes in windows: once a window has shed
 * `minSample` streams it holds for `settleMs`, until every one of them is back somewhere and
 * counted, and is judged on clean counts: if less than `MIN_SHED_EFFECT` of them stayed away,
 * shedding pauses for `firstPauseMs`, doubled for every further back-off in a row (up to
 * `maxPauseMs`), and then tries again; a window that works ends the series, and the windows
 * after it are larger (one short hold per `TRUSTED_WINDOW_FACTOR` x `minSample` streams).
 * Pure (time comes in as arguments), so it is unit-tested alone.
 */
export class ShedBackoff {
  private window: Window | null = null;
  /** Whether the last window judged worked: the next ones are larger. */
  private trusted = false;
  private lastShedAt = Number.NEGATIVE_INFINITY;
  private pausedUntil = 0;
  private backoffs = 0;

  constructor(private readonly options: ShedBackoffOptions) {}

  /**
   * Asked each step the plan wants streams shed, before shedding. `excess`: this instance's
   * streams minus the cluster mean, now.
   */
  beforeShed(now: number, excess: number): ShedDecision {
    if (now < this.pausedUntil) return { kind: 'paused', untilMs: this.pausedUntil };
    this.endPause(now);
    const window = (this.window ??= this.open(excess));
    if (window.shed < window.size) return { kind: 'shed' };
    const judgedAt = window.lastShedAt + this.options.settleMs;
    if (now < judgedAt) return { kind: 'holding', untilMs: judgedAt };
    const fallen = window.excess - excess;
    if (fallen >= MIN_SHED_EFFECT * window.shed) {
      this.worked();
      this.window = this.open(excess);
      return { kind: 'shed' };
    }
    this.backoffs++;
    const pauseMs = Math.min(this.options.firstPauseMs * 2 ** (this.backoffs - 1), this.options.maxPauseMs);
    this.pausedUntil = now + pauseMs;
    this.window = null;
    this.trusted = false;
    const stayedAway = Math.round(Math.min(window.shed, Math.max(0, fallen)));
    return { kind: 'backed-off', pauseMs, untilMs: this.pausedUntil, backoffs: this.backoffs, shed: window.shed, stayedAway };
  }

  /** Streams shed now (after a `shed` decision). */
  shed(now: number, count: number): void {
    if (count <= 0 || !this.window) return;
    this.lastShedAt = now;
    this.window.shed += count;
    this.window.lastShedAt = now;
  }

  /** A step in which the plan wants nothing shed. */
  idle(now: number): void {
    this.endPause(now);
    const window = this.window;
    // A full window whose clients have landed, and nothing more to shed: it worked.
    if (window && window.shed >= window.size && now >= window.lastShedAt + this.options.settleMs) this.worked();
    // Quiet long enough: the episode is over (a window too small to judge says nothing).
    if (now - this.lastShedAt > 2 * this.options.settleMs) {
      this.window = null;
      this.trusted = false;
    }
    // Even for as long as the longest pause: whatever made shedding useless may be gone.
    if (now - this.lastShedAt > this.options.maxPauseMs) this.backoffs = 0;
  }

  state(now: number): BackoffState {
    return { pausedUntil: now < this.pausedUntil ? this.pausedUntil : null, backoffs: this.backoffs };
  }

  private open(excess: number): Window {
    const size = this.options.minSample * (this.trusted ? TRUSTED_WINDOW_FACTOR : 1);
    return { excess, size, shed: 0, lastShedAt: Number.NEGATIVE_INFINITY };
  }

  private worked(): void {
    this.backoffs = 0;
    this.trusted = true;
    this.window = null;
  }

  /** After a pause, a fresh window: what happened before it says nothing about now. */
  private endPause(now: number): void {
    if (this.pausedUntil === 0 || now < this.pausedUntil) return;
    this.pausedUntil = 0;
    this.window = null;
    this.trusted = false;
  }
}
