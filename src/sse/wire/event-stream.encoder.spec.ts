import { encodeComment, encodeEvent, encodeIdLine, encodeRetry } from './event-stream.encoder.js';
import { EventStreamParser } from './testing/event-stream.parser.js';

const text = (buffer: Buffer) => buffer.toString('utf8');

describe('event-stream encoder', () => {
  it('writes id, event and data lines then a blank line', () => {
    expect(text(encodeEvent({ id: '5-0.abc', event: 'order.created', data: '{"a":1}' }))).toBe(
      'id: 5-0.abc\nevent: order.created\ndata: {"a":1}\n\n',
    );
  });

  it('omits the event line for the default type and the id line when there is none', () => {
    expect(text(encodeEvent({ data: '"x"' }))).toBe('data: "x"\n\n');
  });

  it('splits text on every kind of line break into several data lines', () => {
    expect(text(encodeEvent({ id: '1', data: 'a\nb\r\nc\rd' }))).toBe(
      'id: 1\ndata: a\ndata: b\ndata: c\ndata: d\n\n',
    );
    expect(text(encodeEvent({ data: '' }))).toBe('data: \n\n');
    expect(text(encodeEvent({ data: 'end\n' }))).toBe('data: end\ndata: \n\n');
  });

  it('round-trips through a spec-exact parser, line breaks and non-ASCII included', () => {
    const parser = new EventStreamParser();
    const samples = ['plain', 'two\nlines', 'crlf\r\nand cr\r', ' leading space', 'üñí ✓ 🚀', ':not a comment', ''];
    for (const [i, data] of samples.entries()) parser.push(encodeEvent({ id: String(i), event: 'x', data }));
    // The parser splits CR, LF and CRLF alike, so each comes back as LF.
    expect(parser.events.map((e) => e.data)).toEqual(samples.map((s) => s.replace(/\r\n|\r/g, '\n')));
    expect(parser.events.map((e) => e.lastEventId)).toEqual(samples.map((_, i) => String(i)));
    expect(parser.events.every((e) => e.type === 'x')).toBe(true);
  });

  it('builds a frame from a per-subscriber id line and a shared body', () => {
    const body = encodeEvent({ event: 'e', data: '1' });
    expect(text(Buffer.concat([encodeIdLine('tok'), body]))).toBe('id: tok\nevent: e\ndata: 1\n\n');
  });

  it('writes retry and comment frames that clients do not dispatch', () => {
    expect(text(encodeRetry(3000))).toBe('retry: 3000\n\n');
    expect(text(encodeComment())).toBe(':\n\n');
    expect(text(encodeComment('hello\nworld'))).toBe(': hello\n: world\n\n');
    const parser = new EventStreamParser();
    parser.push(Buffer.concat([encodeRetry(1500), encodeComment('hb')]));
    expect(parser.retry).toBe(1500);
    expect(parser.events).toEqual([]);
    expect(parser.comments).toEqual([' hb']);
  });

  it('parses frames split at any byte, a multi-byte character included', () => {
    const bytes = Buffer.concat([encodeRetry(10), encodeEvent({ id: '1', data: 'héllo 🚀\nworld' })]);
    for (let cut = 1; cut < bytes.length; cut++) {
      const parser = new EventStreamParser();
      parser.push(bytes.subarray(0, cut));
      parser.push(bytes.subarray(cut));
      expect(parser.events).toEqual([{ type: 'message', data: 'héllo 🚀\nworld', lastEventId: '1' }]);
    }
  });
});
