import { Inject, Injectable, Logger, type MessageEvent } from '@nestjs/common';
import type { Subscriber, TeardownLogic } from 'rxjs';
import type { StreamFactory, StreamRequest } from '../channel/stream-request.js';
import type { ResolvedSseOptions } from '../interfaces/index.js';
import { SSE_OPTIONS } from '../sse.tokens.js';
import { ChannelStream } from './channel-stream.js';
import { FrameWriter } from './frame-writer.js';
import { MessageEventOutput } from './message-event.output.js';
import { SseStreamWriter } from './sse-stream-writer.service.js';
import { streamEnded } from './stream.messages.js';
import { errorMessage } from '../utils/error-message.util.js';

/**
 * Makes the Observables `channel.stream()` and `hub.stream()` answer. Claimed by the
 * module's interceptor, the stream writer serves them; unclaimed, they emit `MessageEvent`s
 * through the same `FrameWriter`, with their own heartbeat, and complete (so the client
 * resumes) instead of erroring when the stream cannot go on.
 */
@Injectable()
export class ChannelStreamFactory implements StreamFactory {
  private readonly logger = new Logger('SseStreams');
  private readonly connectedData: string;

  constructor(
    private readonly writer: SseStreamWriter,
    @Inject(SSE_OPTIONS) private readonly options: ResolvedSseOptions,
  ) {
    this.connectedData = JSON.stringify({ instance: options.instanceId });
  }

  create(request: StreamRequest): ChannelStream {
    return new ChannelStream(
      request,
      (httpRequest, response) => this.writer.serve(httpRequest, response, request),
      (subscriber, unclaimed) => this.serveUnclaimed(subscriber, unclaimed),
    );
  }

  private serveUnclaimed(subscriber: Subscriber<MessageEvent>, request: StreamRequest): TeardownLogic {
    const end = (reason: string) => {
      this.logger.warn(streamEnded(request.channels, reason));
      subscriber.complete();
    };
    const output = new MessageEventOutput(subscriber, request.lastEventId, this.options.retryMs);
    const handle = request.open(new FrameWriter(output, this.connectedData), end);
    handle.start().catch((error: unknown) => end(errorMessage(error)));
    const heartbeat = setInterval(() => subscriber.next({ comment: '' }), this.options.heartbeatMs);
    heartbeat.unref();
    return () => {
      clearInterval(heartbeat);
      handle.close();
    };
  }
}
