import { Module } from '@nestjs/common';
import { SsePublishConsumer } from './sse-publish.consumer.js';
import { SsePublishController } from './sse-publish.controller.js';
import { SseTransportStats } from './sse-transport.stats.js';

/**
 * Publishing from other services, mounted by `SseModule.forRoot({ transport: true })`: the
 * `@EventPattern('sse.publish')` handler and its counts. It reaches the hub through the
 * (global) `SseModule`; a microservice must be connected to feed it (`connectSseTransport`).
 */
@Module({
  controllers: [SsePublishController],
  providers: [SsePublishConsumer, SseTransportStats],
  exports: [SsePublishConsumer, SseTransportStats],
})
export class SseTransportModule {}
