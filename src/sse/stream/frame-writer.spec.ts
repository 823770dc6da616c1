import type { MessageEvent } from '@nestjs/common';
import { Subscriber } from 'rxjs';
import { ChannelEvent } from '../channel/channel-event.js';
import { StreamPosition } from '../position/stream-position.js';
import type { FrameOutput } from './frame-output.js';
import { FrameWriter } from './frame-writer.js';
import { MessageEventOutput } from './message-event.output.js';

const position = StreamPosition.of(1700, 2, 'ep');
const event = new ChannelEvent('orders', { position, event: 'order.created', data: '{"n":1}', time: 0 });
const CONNECTED = '{"instance":"gw-1"}';

/** Records what the writer asks of its output. */
class Recorder implements FrameOutput {
  readonly calls: unknown[][] = [];
  event(e: ChannelEvent) {
    this.calls.push(['event', e.id]);
  }
  envelope(id: string, e: ChannelEvent) {
    this.calls.push(['envelope', id, e.envelope()]);
  }
  notice(id: string | undefined, type: string, data: string) {
    this.calls.push(['notice', id, type, data]);
  }
  ready() {
    return undefined;
  }
}

describe('FrameWriter', () => {
  it('maps the items of a single-channel stream', () => {
    const out = new Recorder();
    const writer = new FrameWriter(out, CONNECTED);
    writer.push({ kind: 'start', channel: 'orders', position: StreamPosition.start('ep') });
    writer.push({ kind: 'event', event });
    writer.push({ kind: 'reset', channel: 'orders', reason: 'trimmed', position });
    writer.push({ kind: 'start', channel: 'orders', position: undefined });
    expect(out.calls).toEqual([
      // The start position rides on a frame with data: every common parser keeps its id.
      ['notice', '0-0.ep', 'sse.connected', CONNECTED],
      ['event', '1700-2.ep'],
      ['notice', '1700-2.ep', 'reset', '{"reason":"trimmed","head":"1700-2.ep"}'],
      ['notice', undefined, 'sse.connected', CONNECTED],
    ]);
  });

  it('maps the items of a several-channel stream, each with the stream\'s id', () => {
    const out = new Recorder();
    const writer = new FrameWriter(out, CONNECTED);
    writer.pushMulti({ kind: 'start', channel: 'orders', position: undefined }, 'T0');
    writer.pushMulti({ kind: 'event', event }, 'T1');
    writer.pushMulti({ kind: 'reset', channel: 'orders', reason: 'unknown', position }, 'T2');
    expect(out.calls).toEqual([
      ['notice', 'T0', 'sse.connected', CONNECTED],
      ['envelope', 'T1', '{"channel":"orders","data":{"n":1}}'],
      ['notice', 'T2', 'reset', '{"channel":"orders","data":{"reason":"unknown","head":"1700-2.ep"}}'],
    ]);
  });
});

describe('MessageEventOutput (a stream Nest writes itself)', () => {
  const collect = (lastEventId: string | undefined) => {
    const messages: MessageEvent[] = [];
    const subscriber = new Subscriber<MessageEvent>({ next: (m) => void messages.push(m), error: () => undefined, complete: () => undefined });
    return { messages, writer: new FrameWriter(new MessageEventOutput(subscriber, lastEventId, 1500), CONNECTED) };
  };

  it('gives every frame an id (Nest would number one without), and retry with the first', () => {
    const { messages, writer } = collect('1700-1.ep');
    writer.push({ kind: 'start', channel: 'orders', position: undefined });
    writer.push({ kind: 'event', event });
    expect(messages).toEqual([
      { id: '1700-1.ep', type: 'sse.connected', data: CONNECTED, retry: 1500 },
      { id: '1700-2.ep', type: 'order.created', data: '{"n":1}' },
    ]);
  });

  it('starts a stream without a position at the head it was given', () => {
    const { messages, writer } = collect(undefined);
    writer.push({ kind: 'start', channel: 'orders', position: StreamPosition.start('ep') });
    expect(messages).toEqual([{ id: '0-0.ep', type: 'sse.connected', data: CONNECTED, retry: 1500 }]);
  });
});
