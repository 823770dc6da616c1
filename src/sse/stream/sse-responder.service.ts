import { Inject, Injectable, Logger } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { RESET_EVENT, envelopeOf, resetData, type StreamItem } from '../channel/channel-event.js';
import type { MultiStreamItem } from '../channel/multi-channel-reader.js';
import { SseHub, type StreamSink } from '../channel/sse-hub.service.js';
import type { ResolvedSseOptions } from '../interfaces/index.js';
import { CONNECTED_EVENT } from '../sse.constants.js';
import { SSE_OPTIONS } from '../sse.tokens.js';
import { encodeEvent, encodeIdLine, encodeIdOnly } from '../wire/event-stream.encoder.js';
import { ConnectionRegistry } from './connection-registry.service.js';
import { EVENT_STREAM_HEADERS, SseConnection } from './sse-connection.js';

/**
 * Serves an event stream on a raw HTTP response. Unlike `@Sse()`, which formats every
 * event again for every subscriber, it writes each event's shared bytes, sends `retry:`
 * before anything else, and bounds what a slow client can pile up.
 */
@Injectable()
export class SseResponder {
  private readonly logger = new Logger('SseResponder');
  /** Names the instance serving the stream: a browser's EventSource cannot read headers. */
  private readonly connectedFrame: Buffer;

  constructor(
    private readonly hub: SseHub,
    private readonly registry: ConnectionRegistry,
    @Inject(SSE_OPTIONS) private readonly options: ResolvedSseOptions,
  ) {
    // No id line: the client's last event id stays where it was.
    this.connectedFrame = encodeEvent({ event: CONNECTED_EVENT, data: JSON.stringify({ instance: options.instanceId }) });
  }

  /**
   * Streams `channels` on `response`. `mode` single: the channel's own ids and data;
   * multi: envelopes `{channel, data}` and composite ids. Throws (before anything is
   * written) for bad channel names or when the instance takes no new stream.
   */
  async stream(
    request: IncomingMessage,
    response: ServerResponse,
    channels: readonly string[],
    lastEventId: string | undefined,
    mode: 'single' | 'multi',
  ): Promise<void> {
    this.hub.assertChannels(channels);
    this.registry.admit();
    if (request.method === 'HEAD') {
      // A probe (a balancer's check, say): the answer a stream would get, without the stream.
      response.writeHead(200, EVENT_STREAM_HEADERS).end();
      return;
    }
    const connection = new SseConnection(request, response, {
      retryMs: this.options.retryMs,
      maxBufferBytes: this.options.maxBufferBytes,
    });
    connection.open();
    connection.write(this.connectedFrame);
    this.registry.add(connection);

    const emit = emitter(connection, channels.every((channel) => this.hub.policyOf(channel) === 'latest'));
    const sink = mode === 'single' ? singleChannelSink(emit) : multiChannelSink(emit);
    const handle = this.hub.open(channels, lastEventId, sink, (reason) => {
      this.logger.warn(`ending a stream of ${channels.join(', ')}: ${reason}`);
      connection.end('error', reason);
    });
    connection.onClose(() => handle.close());
    if (connection.isClosed) return handle.close();
    try {
      await handle.start();
    } catch (error) {
      // The broker failed while the stream started: the client reconnects with its position.
      this.logger.warn(`could not start a stream of ${channels.join(', ')}: ${(error as Error).message}`);
      handle.close();
      connection.end('error', 'broker unavailable');
    }
  }
}

/** Writes a frame: as it comes, or (state channels) superseding the older frame of the same key. */
type Emit = (chunks: readonly Buffer[], key?: string) => void;

function emitter(connection: SseConnection, latest: boolean): Emit {
  if (!latest) return (chunks) => connection.writeAll(chunks);
  let control = 0;
  // Resets and positions are never superseded: each gets a key of its own.
  return (chunks, key) => connection.writeLatest(key ?? `\0${control++}`, chunks);
}

function singleChannelSink(emit: Emit): StreamSink {
  let lastId: string | undefined;
  return {
    mode: 'single',
    push(item: StreamItem) {
      if (item.kind === 'event') {
        lastId = item.event.id;
        emit([item.event.frame()], item.event.channel);
      } else if (item.kind === 'reset') {
        lastId = item.cursor;
        emit([encodeEvent({ id: item.cursor, event: RESET_EVENT, data: resetData(item.reason, item.cursor) })]);
      } else if (item.cursor !== lastId) {
        lastId = item.cursor;
        emit([encodeIdOnly(item.cursor)]);
      }
    },
  };
}

function multiChannelSink(emit: Emit): StreamSink {
  let lastToken: string | undefined;
  return {
    mode: 'multi',
    push({ item, token }: MultiStreamItem) {
      if (item.kind === 'event') {
        emit([encodeIdLine(token), item.event.envelopeBody()], item.event.channel);
      } else if (item.kind === 'reset') {
        const data = envelopeOf(item.channel, resetData(item.reason, item.cursor));
        emit([encodeEvent({ id: token, event: RESET_EVENT, data })]);
      } else if (token !== lastToken) {
        emit([encodeIdOnly(token)]);
      }
      lastToken = token;
    },
  };
}
