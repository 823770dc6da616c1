/**
 * The HTML standard's event-stream parsing, for text as it arrives: fields are gathered
 * line by line and a blank line dispatches. Unlike a browser's EventSource it also reports
 * frames that only move the id (the gateway sends one to mark the channel's head), so the
 * client always knows the exact position to resume from.
 */
export interface StreamFrame {
  /** `message` when the frame had no `event:` line. */
  readonly event: string;
  readonly data: string;
  /** The last event id in force after this frame; `undefined` while none was ever set. */
  readonly id: string | undefined;
}

export interface EventStreamHandlers {
  frame(frame: StreamFrame): void;
  /** A frame with `id:` and no data: nothing to dispatch, but the position moved. */
  position(id: string): void;
  retry(ms: number): void;
}

const LINE = /\r\n|\r|\n/;

export class EventStreamReader {
  private buffer = '';
  private data: string[] = [];
  private event = '';
  private id: string | undefined;
  private idChanged = false;
  private first = true;

  constructor(private readonly handlers: EventStreamHandlers) {}

  push(text: string): void {
    if (this.first && text.length > 0) {
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
      this.first = false;
    }
    this.buffer += text;
    for (;;) {
      const match = LINE.exec(this.buffer);
      if (!match) return;
      // A CR at the very end may be the first half of a CRLF: wait for more.
      if (match[0] === '\r' && match.index === this.buffer.length - 1) return;
      const line = this.buffer.slice(0, match.index);
      this.buffer = this.buffer.slice(match.index + match[0].length);
      this.line(line);
    }
  }

  private line(line: string): void {
    if (line === '') return this.dispatch();
    if (line.startsWith(':')) return;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'data') this.data.push(value);
    else if (field === 'event') this.event = value;
    else if (field === 'id' && !value.includes('\0')) {
      this.idChanged ||= value !== this.id;
      this.id = value;
    } else if (field === 'retry' && /^\d+$/.test(value)) this.handlers.retry(Number(value));
  }

  private dispatch(): void {
    const { data, event, id, idChanged } = this;
    this.data = [];
    this.event = '';
    this.idChanged = false;
    if (data.length === 0) {
      if (idChanged && id !== undefined) this.handlers.position(id);
      return;
    }
    this.handlers.frame({ event: event || 'message', data: data.join('\n'), id });
  }
}
