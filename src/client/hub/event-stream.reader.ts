/**
 * The HTML standard's event-stream interpretation
 * (https://html.spec.whatwg.org/multipage/server-sent-events.html#event-stream-interpretation),
 * for bytes or text as they arrive, in chunks of any size: whatever the chunking of the same
 * bytes, the same frames come out. Unlike a browser's EventSource it also reports frames
 * that only move the id (the gateway sends one to mark the channel's head), so the client
 * always knows the exact position to resume from.
 */
export interface StreamFrame {
  /** `message` when the frame had no `event:` line. */
  readonly event: string;
  readonly data: string;
  /** The last event ID in force after this frame; `undefined` while none was ever set. */
  readonly id: string | undefined;
}

export interface EventStreamHandlers {
  frame(frame: StreamFrame): void;
  /** A frame without data that changed the last event ID: nothing to dispatch, but the position moved. */
  position(id: string): void;
  retry(ms: number): void;
}

const CR = 0x0d;
const LF = 0x0a;
const BOM = 0xfeff;

export class EventStreamReader {
  /** Text of the line being read, not yet ended. */
  private partial = '';
  private data: string[] = [];
  private eventType = '';
  /** The standard's "last event ID buffer": set by `id:`, kept across frames. */
  private idBuffer: string | undefined;
  /** The last event ID string: the buffer as of the last dispatch. */
  private lastEventId: string | undefined;
  /** Nothing read yet: the first character may be the one byte-order mark to skip. */
  private atStart = true;
  /** The last character read was a CR that ended a line: an LF right after it is the rest of that CRLF. */
  private afterCr = false;
  /** A line ends at CRLF, CR or LF (the standard's `end-of-line`); own instance: handlers may feed other readers meanwhile. */
  private readonly endOfLine = /\r\n|\r|\n/g;
  // ignoreBOM: the decoder passes a BOM through, so that exactly one is skipped, here, once
  // (a default TextDecoder would drop one and `push` another).
  private readonly decoder = new TextDecoder('utf-8', { ignoreBOM: true });

  constructor(private readonly handlers: EventStreamHandlers) {}

  /** Bytes as they arrive (UTF-8; a character split across chunks is joined). */
  write(bytes: Uint8Array): void {
    this.push(this.decoder.decode(bytes, { stream: true }));
  }

  /** Text as it arrives. */
  push(text: string): void {
    if (text.length === 0) return;
    let start = 0;
    if (this.atStart) {
      this.atStart = false;
      if (text.charCodeAt(0) === BOM) start = 1;
    }
    if (this.afterCr) {
      this.afterCr = false;
      if (text.charCodeAt(start) === LF) start += 1;
    }
    this.endOfLine.lastIndex = start;
    for (;;) {
      const match = this.endOfLine.exec(text);
      if (!match) break;
      const line = this.partial + text.slice(start, match.index);
      this.partial = '';
      start = match.index + match[0].length;
      // A lone CR ends the line at once; if it is the chunk's last character, an LF opening
      // the next chunk belongs to it (one CRLF, not two line ends).
      this.afterCr = match[0].length === 1 && match[0].charCodeAt(0) === CR && start === text.length;
      this.line(line);
    }
    if (start < text.length) this.partial += text.slice(start);
  }

  /**
   * The stream ended: per the standard, pending data is discarded (a line without its end,
   * a frame without its blank line). The reader starts afresh for another stream.
   */
  end(): void {
    this.decoder.decode();
    this.partial = '';
    this.data = [];
    this.eventType = '';
    this.atStart = true;
    this.afterCr = false;
  }

  private line(line: string): void {
    if (line === '') return this.dispatch();
    if (line.charCodeAt(0) === 0x3a /* : */) return;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.charCodeAt(0) === 0x20) value = value.slice(1);
    switch (field) {
      case 'event':
        this.eventType = value;
        return;
      case 'data':
        this.data.push(value);
        return;
      case 'id':
        if (!value.includes('\0')) this.idBuffer = value;
        return;
      case 'retry':
        if (/^[0-9]+$/.test(value)) this.handlers.retry(Number(value));
        return;
    }
  }

  private dispatch(): void {
    const changed = this.idBuffer !== this.lastEventId;
    this.lastEventId = this.idBuffer;
    const { data, eventType } = this;
    this.data = [];
    this.eventType = '';
    if (data.length === 0) {
      if (changed && this.lastEventId !== undefined) this.handlers.position(this.lastEventId);
      return;
    }
    this.handlers.frame({ event: eventType || 'message', data: data.join('\n'), id: this.lastEventId });
  }
}
