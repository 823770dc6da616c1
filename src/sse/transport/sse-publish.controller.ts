import { Controller } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { SsePublishConsumer } from './sse-publish.consumer.js';
import { SSE_PUBLISH_PATTERN } from './transport.constants.js';

/**
 * The `sse.publish` event handler, served by whichever microservice the application connects
 * (`connectSseTransport(app)`, or its own Redis transport). It never throws, so no exception
 * filter or transport error path is ever involved.
 */
@Controller()
export class SsePublishController {
  constructor(private readonly consumer: SsePublishConsumer) {}

  @EventPattern(SSE_PUBLISH_PATTERN)
  publish(@Payload() payload: unknown): Promise<void> {
    return this.consumer.consume(payload);
  }
}
