import fc from 'fast-check';
import { EventStreamReader, type StreamFrame } from './event-stream.reader.js';

type Out = StreamFrame | { position: string } | { retry: number };

function reader(out: Out[]): EventStreamReader {
  return new EventStreamReader({
    frame: (frame) => out.push(frame),
    position: (id) => out.push({ position: id }),
    retry: (ms) => out.push({ retry: ms }),
  });
}

function read(...chunks: string[]): Out[] {
  const out: Out[] = [];
  const r = reader(out);
  chunks.forEach((c) => r.push(c));
  return out;
}

function readBytes(...chunks: Uint8Array[]): Out[] {
  const out: Out[] = [];
  const r = reader(out);
  chunks.forEach((c) => r.write(c));
  r.end();
  return out;
}

/**
 * The standard's interpretation written the plain way, on the whole text at once: one
 * leading BOM skipped; lines split at CRLF, CR or LF; the text after the last line end
 * discarded; fields gathered, a blank line dispatches. What the incremental reader must
 * match under every chunking.
 */
function reference(text: string): Out[] {
  const out: Out[] = [];
  if (text.startsWith('\ufeff')) text = text.slice(1);
  const lines = text.split(/\r\n|\r|\n/);
  lines.pop();
  let data = '';
  let type = '';
  let idBuffer: string | undefined;
  let lastId: string | undefined;
  for (const line of lines) {
    if (line === '') {
      const moved = idBuffer !== lastId;
      lastId = idBuffer;
      if (data === '') {
        if (moved && lastId !== undefined) out.push({ position: lastId });
      } else {
        out.push({ event: type || 'message', data: data.slice(0, -1), id: lastId });
      }
      data = '';
      type = '';
      continue;
    }
    if (line.startsWith(':')) continue;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'event') type = value;
    else if (field === 'data') data += `${value}\n`;
    else if (field === 'id' && !value.includes('\u0000')) idBuffer = value;
    else if (field === 'retry' && value !== '' && [...value].every((c) => c >= '0' && c <= '9')) out.push({ retry: Number(value) });
  }
  return out;
}

/** Streams that stress line ends, BOMs, ids, empty fields and characters wider than one byte. */
const STREAMS = [
  'retry: 3000\n\nevent: sse.connected\ndata: {"instance":"gw-1"}\n\nid: 0.k3\n\n',
  'id: 1\r\nevent: a\r\ndata: x\r\n\r\nid: 2\rdata: y\r\rdata: z\n\n',
  'data: lone CR at the very end\r\r',
  'data: a\r\ndata: b\r\r\n\r\n\n\r',
  '\ufeffdata: one BOM skipped\n\n',
  '\ufeff\ufeffdata: the second BOM is part of the field name\n\ndata: next\n\n',
  '\ufeff\r\n\r\ndata: after a BOM and blank lines\r\n\r\n',
  ': comment\ndata\ndata:\ndata:  two spaces\n\nid\n\nid: 5\n\nid: 5\n\nid: 6\u0000\ndata: nul\n\n',
  'retry: 12\nretry: x1\nretry:\nretry: 007\n\n',
  'event: é€😀\ndata: 😀 and é, then a half frame\n\ndata: never ends',
  'id: x\ndata: kept\n\ndata: id stays\n\nid:\ndata: empty id\n\n',
  'data:a\rdata:b\n\rdata:c\r\n\r\ndata:d\n\r\n',
];

describe('EventStreamReader', () => {
  it("reads a gateway stream's opening: retry, the instance event (no id), the head position", () => {
    expect(read(STREAMS[0]!)).toEqual([
      { retry: 3000 },
      { event: 'sse.connected', data: '{"instance":"gw-1"}', id: undefined },
      { position: '0.k3' },
    ]);
  });

  it('dispatches events with their id and type; an id-only frame reports the position only when it moves', () => {
    expect(read('id: 1.k\nevent: order.created\ndata: {"n":1}\n\n', 'id: 2.k\ndata: "x"\n\n', ': heartbeat\n\n', 'id: 2.k\n\n', 'id: 3.k\n\n')).toEqual([
      { event: 'order.created', data: '{"n":1}', id: '1.k' },
      { event: 'message', data: '"x"', id: '2.k' },
      { position: '3.k' },
    ]);
  });

  it('ends a line at a lone CR at once, without waiting for the next byte', () => {
    expect(read('data: x\r\r')).toEqual([{ event: 'message', data: 'x', id: undefined }]);
    expect(read('data: x\r', '\r')).toEqual([{ event: 'message', data: 'x', id: undefined }]);
  });

  it('takes a CR that ends a chunk and an LF that opens the next as one line end', () => {
    expect(read('data: a\r', '\ndata: b\n\n')).toEqual([{ event: 'message', data: 'a\nb', id: undefined }]);
    // An empty chunk in between changes nothing; an LF after the skipped one is a line end.
    expect(read('data: a\r', '', '\n', '\n')).toEqual([{ event: 'message', data: 'a', id: undefined }]);
  });

  it('skips exactly one leading byte-order mark, once', () => {
    expect(read('\ufeffdata: x\n\n')).toEqual([{ event: 'message', data: 'x', id: undefined }]);
    expect(read('', '\ufeff', 'data: x\n\n\ufeffdata: y\n\n')).toEqual([{ event: 'message', data: 'x', id: undefined }]);
    expect(read('\ufeff\ufeffdata: x\n\n')).toEqual([]);
    const bom = [0xef, 0xbb, 0xbf];
    const bytes = new Uint8Array([...bom, ...bom, ...new TextEncoder().encode('data: x\n\ndata: y\n\n')]);
    expect(readBytes(bytes)).toEqual([{ event: 'message', data: 'y', id: undefined }]);
  });

  it('keeps the last id for later events without an id line, and ignores ids with NUL', () => {
    expect(read('id: 5\ndata: 1\n\ndata: 2\n\nid: 6\0\ndata: 3\n\n').map((f) => ('id' in f ? f.id : f))).toEqual(['5', '5', '5']);
  });

  it('ignores unknown fields and a bad retry; discards a frame the stream ends in', () => {
    expect(read('retry: soon\nfoo: bar\ndata: x\n\ndata: cut')).toEqual([{ event: 'message', data: 'x', id: undefined }]);
  });

  it('each test stream read whole matches the reference reading', () => {
    for (const text of STREAMS) expect({ text, out: read(text) }).toEqual({ text, out: reference(text) });
  });

  it('any split of the text, at every position, gives the same frames', () => {
    for (const text of STREAMS) {
      const whole = reference(text);
      for (let i = 0; i <= text.length; i++) {
        expect({ text, i, out: read(text.slice(0, i), text.slice(i)) }).toEqual({ text, i, out: whole });
      }
      for (let i = 0; i <= text.length; i++) {
        for (let j = i; j <= text.length; j += 3) {
          expect({ text, i, j, out: read(text.slice(0, i), text.slice(i, j), text.slice(j)) }).toEqual({ text, i, j, out: whole });
        }
      }
      expect(read(...text)).toEqual(whole);
    }
  });

  it('any split of the bytes, at every position (inside a character or a BOM too), gives the same frames', () => {
    for (const text of STREAMS) {
      const bytes = new TextEncoder().encode(text);
      const whole = reference(text);
      for (let i = 0; i <= bytes.length; i++) {
        expect({ text, i, out: readBytes(bytes.subarray(0, i), bytes.subarray(i)) }).toEqual({ text, i, out: whole });
      }
      expect(readBytes(...[...bytes].map((b) => new Uint8Array([b])))).toEqual(whole);
    }
  });

  it('random streams in random chunks match the reference reading', () => {
    const piece = fc.constantFrom('\r', '\n', '\r\n', '\ufeff', ':', ' ', 'data', 'id', 'event', 'retry', '1', 'x', 'é', '😀', '\u0000');
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 60 }), fc.array(fc.nat(), { maxLength: 8 }), (pieces, cuts) => {
        const text = pieces.join('');
        const bytes = new TextEncoder().encode(text);
        const at = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
        const chunks = [0, ...at].map((from, k, all) => bytes.subarray(from, all[k + 1] ?? bytes.length));
        expect(readBytes(...chunks)).toEqual(reference(text));
        const textAt = [...new Set(cuts.map((c) => c % (text.length + 1)))].sort((a, b) => a - b);
        expect(read(...[0, ...textAt].map((from, k, all) => text.slice(from, all[k + 1] ?? text.length)))).toEqual(reference(text));
      }),
      { numRuns: 2000 },
    );
  });
});
