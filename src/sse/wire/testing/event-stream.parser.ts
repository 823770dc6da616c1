/**
 * The HTML standard's event-stream parser, step by step, for tests: it reads bytes the way
 * a browser's EventSource does, so a test asserts what a real client would see.
 */
export interface ParsedEvent {
  /** `message` when the frame had no `event:` line. */
  type: string;
  data: string;
  /** The last event id in force when the event was dispatched. */
  lastEventId: string;
}

export class EventStreamParser {
  /** Every dispatched event, in order. */
  readonly events: ParsedEvent[] = [];
  /** Comment lines (without the colon), in order. */
  readonly comments: string[] = [];
  retry: number | undefined;
  lastEventId = '';

  private buffer = '';
  private data = '';
  private type = '';
  private idBuffer = '';
  private decoder = new TextDecoder('utf-8');
  private first = true;

  /** Events of these types go to `setAside` instead of `events` (a test's way to look past control events). */
  readonly setAside: ParsedEvent[] = [];

  constructor(
    private readonly onEvent?: (event: ParsedEvent) => void,
    private readonly setAsideTypes: readonly string[] = [],
  ) {}

  push(chunk: Uint8Array | string): void {
    let text = typeof chunk === 'string' ? chunk : this.decoder.decode(chunk, { stream: true });
    if (this.first && text.length > 0) {
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
      this.first = false;
    }
    this.buffer += text;
    for (;;) {
      const match = /\r\n|\r|\n/.exec(this.buffer);
      if (!match) break;
      // A lone CR at the end of the buffer may be the first half of CRLF: wait for more.
      if (match[0] === '\r' && match.index === this.buffer.length - 1) break;
      const line = this.buffer.slice(0, match.index);
      this.buffer = this.buffer.slice(match.index + match[0].length);
      this.processLine(line);
    }
  }

  private processLine(line: string): void {
    if (line === '') return this.dispatch();
    if (line.startsWith(':')) {
      this.comments.push(line.slice(1));
      return;
    }
    const colon = line.indexOf(':');
    let field = line;
    let value = '';
    if (colon >= 0) {
      field = line.slice(0, colon);
      value = line.slice(colon + 1);
      if (value.startsWith(' ')) value = value.slice(1);
    }
    switch (field) {
      case 'event':
        this.type = value;
        break;
      case 'data':
        this.data += `${value}\n`;
        break;
      case 'id':
        if (!value.includes('\0')) this.idBuffer = value;
        break;
      case 'retry':
        if (/^\d+$/.test(value)) this.retry = Number(value);
        break;
      default:
        break;
    }
  }

  private dispatch(): void {
    this.lastEventId = this.idBuffer;
    if (this.data === '') {
      this.type = '';
      return;
    }
    const event: ParsedEvent = {
      type: this.type || 'message',
      data: this.data.endsWith('\n') ? this.data.slice(0, -1) : this.data,
      lastEventId: this.lastEventId,
    };
    this.data = '';
    this.type = '';
    if (this.setAsideTypes.includes(event.type)) {
      this.setAside.push(event);
      return;
    }
    this.events.push(event);
    this.onEvent?.(event);
  }
}
