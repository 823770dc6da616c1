/**
 * A position in one channel's stream: the stream entry id (`<ms>-<seq>`, as Redis numbers
 * entries; https://redis.io/docs/latest/develop/data-types/streams/#entry-ids) and the
 * stream's epoch, a random tag for the stream's lifetime. On the wire it is an event's
 * `id:` and the client's last event ID: `<ms>-<seq>.<epoch>`.
 *
 * Parsed once where it enters (a client's `Last-Event-ID`, a broker's answer) and compared
 * as numbers afterwards. Redis allows 64-bit entry ids; every id it generates fits in a
 * double exactly (milliseconds since 1970, and a sequence that would need 2^53 entries in
 * one millisecond to overflow), so a position beyond 2^53 cannot have been issued and is
 * not parsed as one.
 */
export class StreamPosition {
  /** `<ms>-<seq>.<epoch>`: every position is written out once, as it becomes an event's id anyway. */
  private readonly text: string;

  private constructor(
    /** Milliseconds part of the entry id. */
    readonly ms: number,
    /** Sequence part of the entry id. */
    readonly seq: number,
    /** The stream's lifetime tag: 1-16 characters of `0-9 a-z`. */
    readonly epoch: string,
    text?: string,
  ) {
    this.text = text ?? `${ms}-${seq}.${epoch}`;
  }

  /** The position before the first entry of an epoch: "from the start". */
  static start(epoch: string): StreamPosition {
    return new StreamPosition(0, 0, epoch);
  }

  /** A position from an entry id's two numbers; both must be whole numbers from 0 to 2^53 - 1. */
  static of(ms: number, seq: number, epoch: string): StreamPosition {
    return new StreamPosition(ms, seq, epoch);
  }

  /**
   * Reads `<ms>-<seq>.<epoch>` exactly as this type writes it (canonical digits, no sign,
   * no leading zero); `null` for anything else. Never throws.
   */
  static parse(text: string): StreamPosition | null {
    if (typeof text !== 'string' || text.length > MAX_TEXT_LENGTH) return null;
    const dash = text.indexOf('-');
    const dot = text.indexOf('.', dash + 1);
    if (dash <= 0 || dot < 0) return null;
    const ms = parseDigits(text, 0, dash);
    const seq = parseDigits(text, dash + 1, dot);
    const epoch = text.slice(dot + 1);
    if (ms < 0 || seq < 0 || !isEpoch(epoch)) return null;
    return new StreamPosition(ms, seq, epoch, text);
  }

  /** Reads a Redis entry id (`<ms>-<seq>`) of the stream of `epoch`; `null` if it is not one. */
  static fromEntryId(entryId: string, epoch: string): StreamPosition | null {
    const dash = entryId.indexOf('-');
    if (dash <= 0) return null;
    const ms = parseDigits(entryId, 0, dash);
    const seq = parseDigits(entryId, dash + 1, entryId.length);
    return ms < 0 || seq < 0 ? null : new StreamPosition(ms, seq, epoch);
  }

  /** True for the position before an epoch's first entry. */
  get isStart(): boolean {
    return this.ms === 0 && this.seq === 0;
  }

  /** The Redis entry id, `<ms>-<seq>`. */
  get entryId(): string {
    return `${this.ms}-${this.seq}`;
  }

  /** Orders two positions of one epoch by entry id (negative, zero, positive); the epoch is not compared. */
  compare(other: StreamPosition): number {
    return this.ms - other.ms || this.seq - other.seq;
  }

  /** True when both name the same entry of the same stream. */
  equals(other: StreamPosition): boolean {
    return this.ms === other.ms && this.seq === other.seq && this.epoch === other.epoch;
  }

  /** `<ms>-<seq>.<epoch>`. */
  toString(): string {
    return this.text;
  }

  toJSON(): string {
    return this.toString();
  }
}

/** Longest text read as a position: two 16-digit numbers, a dash, a dot, a 16-character epoch. */
const MAX_TEXT_LENGTH = 64;
const DIGIT_0 = 48;
const DIGIT_9 = 57;

/** The canonical decimal in `text[from, to)` as a number, or -1 (empty, leading zero, not digits, beyond 2^53 - 1). */
function parseDigits(text: string, from: number, to: number): number {
  const length = to - from;
  if (length < 1 || length > 16) return -1;
  if (length > 1 && text.charCodeAt(from) === DIGIT_0) return -1;
  let value = 0;
  for (let i = from; i < to; i++) {
    const code = text.charCodeAt(i);
    if (code < DIGIT_0 || code > DIGIT_9) return -1;
    value = value * 10 + (code - DIGIT_0);
  }
  return value <= Number.MAX_SAFE_INTEGER ? value : -1;
}

/** 1-16 characters of `0-9 a-z`. */
function isEpoch(epoch: string): boolean {
  if (epoch.length < 1 || epoch.length > 16) return false;
  for (let i = 0; i < epoch.length; i++) {
    const code = epoch.charCodeAt(i);
    if (!((code >= DIGIT_0 && code <= DIGIT_9) || (code >= 97 && code <= 122))) return false;
  }
  return true;
}
