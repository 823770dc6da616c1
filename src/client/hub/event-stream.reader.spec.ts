import { EventStreamReader, type StreamFrame } from './event-stream.reader.js';

function read(...chunks: string[]) {
  const out: (StreamFrame | { position: string } | { retry: number })[] = [];
  const reader = new EventStreamReader({
    frame: (frame) => out.push(frame),
    position: (id) => out.push({ position: id }),
    retry: (ms) => out.push({ retry: ms }),
  });
  chunks.forEach((c) => reader.push(c));
  return out;
}

describe('EventStreamReader', () => {
  it("reads a gateway stream's opening: retry, the instance event (no id), the head position", () => {
    expect(read('retry: 3000\n\nevent: sse.connected\ndata: {"instance":"gw-1"}\n\nid: 0.k3\n\n')).toEqual([
      { retry: 3000 },
      { event: 'sse.connected', data: '{"instance":"gw-1"}', id: undefined },
      { position: '0.k3' },
    ]);
  });

  it('dispatches events with their id and type; an id-only frame reports the position only', () => {
    expect(read('id: 1.k\nevent: order.created\ndata: {"n":1}\n\n', 'id: 2.k\ndata: "x"\n\n', ': heartbeat\n\n', 'id: 2.k\n\n')).toEqual([
      { event: 'order.created', data: '{"n":1}', id: '1.k' },
      { event: 'message', data: '"x"', id: '2.k' },
    ]);
  });

  it('joins data lines, accepts CR, LF and CRLF, and lines split across chunks', () => {
    expect(read('id: 7\r\nda', 'ta: a\rdata: b\r', '\n\r\n')).toEqual([{ event: 'message', data: 'a\nb', id: '7' }]);
  });

  it('keeps the last id for later events without an id line, and ignores ids with NUL', () => {
    expect(read('id: 5\ndata: 1\n\ndata: 2\n\nid: 6\0\ndata: 3\n\n').map((f) => ('id' in f ? f.id : f))).toEqual(['5', '5', '5']);
  });

  it('drops a leading byte-order mark and ignores unknown fields and a bad retry', () => {
    expect(read('\ufeffretry: soon\nfoo: bar\ndata: x\n\n')).toEqual([{ event: 'message', data: 'x', id: undefined }]);
  });
});
