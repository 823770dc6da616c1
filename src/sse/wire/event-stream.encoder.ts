/**
 * Event-stream framing, exactly as the HTML standard's EventSource parser reads it
 * (https://html.spec.whatwg.org/multipage/server-sent-events.html#parsing-an-event-stream).
 * Every frame is built once per instance and shared, as bytes, by all its subscribers.
 */

export interface EventFrameFields {
  /** Omitted when undefined; must not contain CR, LF or NUL (callers validate). */
  readonly id?: string;
  /** Omitted when undefined (the client sees type `message`). */
  readonly event?: string;
  /** Any text: it is split on every line break into one `data:` line per line. */
  readonly data: string;
}

const LINE_BREAK = /\r\n|\r|\n/;

/** `id:`, `event:` and `data:` lines and the blank line that dispatches the event. */
export function encodeEventText(fields: EventFrameFields): string {
  let text = '';
  if (fields.id !== undefined) text += `id: ${fields.id}\n`;
  if (fields.event !== undefined) text += `event: ${fields.event}\n`;
  text += encodeDataLines(fields.data);
  return `${text}\n`;
}

export function encodeEvent(fields: EventFrameFields): Buffer {
  return Buffer.from(encodeEventText(fields), 'utf8');
}

/** The `id:` line of a several-channel stream's frame, made per stream; the shared body follows. */
export function encodeIdLine(id: string): Buffer {
  return Buffer.from(`id: ${id}\n`, 'utf8');
}

export function encodeRetry(ms: number): Buffer {
  return Buffer.from(`retry: ${Math.max(0, Math.trunc(ms))}\n\n`, 'utf8');
}

/** A comment: ignored by clients, keeps proxies and the client's idle timers from closing. */
export function encodeComment(text = ''): Buffer {
  const lines = text.split(LINE_BREAK).map((line) => (line ? `: ${line}\n` : ':\n'));
  return Buffer.from(`${lines.join('')}\n`, 'utf8');
}

function encodeDataLines(data: string): string {
  if (!LINE_BREAK.test(data)) return `data: ${data}\n`;
  return data
    .split(LINE_BREAK)
    .map((line) => `data: ${line}\n`)
    .join('');
}
