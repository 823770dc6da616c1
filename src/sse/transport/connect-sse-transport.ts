import type { INestApplication, INestMicroservice } from '@nestjs/common';
import type { ResolvedSseOptions } from '../interfaces/sse-module-options.interface.js';
import { redisConnectionSettings } from '../sse.options.js';
import { SSE_OPTIONS } from '../sse.tokens.js';
import { SsePublishConsumer } from './sse-publish.consumer.js';
import { SseRedisServer } from './sse-redis.server.js';
import { sseTransportOptions } from './sse-transport.options.js';
import { RAW_MESSAGE_ENVELOPE_CHARS, RAW_MESSAGE_FACTOR, SSE_TRANSPORT } from './transport.constants.js';
import { transportNeedsRedis, transportNotRegistered } from './transport.messages.js';

/** Where `connectSseTransport` listens, when not on the module's own Redis. */
export interface SseTransportConnectOptions {
  /** Redis URL (default: the module's `redis`); the forms `sseTransportOptions` accepts. */
  readonly url?: string;
}

/**
 * Makes `app` a hybrid application that consumes `client.emit('sse.publish', ...)` from
 * other services over Nest's Redis transport, on the module's Redis. Call it before
 * `app.startAllMicroservices()`; the application must import
 * `SseModule.forRoot({ redis, transport: true })`. Answers the connected microservice.
 *
 * Throws when the module's transport is not registered or no Redis URL is known.
 */
export function connectSseTransport(app: INestApplication, options: SseTransportConnectOptions = {}): INestMicroservice {
  if (app.get<symbol, boolean>(SSE_TRANSPORT) !== true) throw new Error(transportNotRegistered);
  const consumer = app.get(SsePublishConsumer);
  const resolved = app.get<symbol, ResolvedSseOptions>(SSE_OPTIONS);
  const url = options.url ?? resolved.redis;
  if (!url) throw new Error(transportNeedsRedis);
  const server = new SseRedisServer(sseTransportOptions(url, redisConnectionSettings(resolved)).options, {
    maxMessageChars: resolved.maxEventBytes * RAW_MESSAGE_FACTOR + RAW_MESSAGE_ENVELOPE_CHARS,
    onUnreadable: (detail) => consumer.rejectUnreadable(detail),
  });
  return app.connectMicroservice({ strategy: server });
}
