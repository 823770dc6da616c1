import { Inject, Module, type MiddlewareConsumer, type NestModule } from '@nestjs/common';
import { AUTH_PROVIDERS } from '../auth/auth.providers.js';
import type { ResolvedSseOptions } from '../interfaces/sse-module-options.interface.js';
import { LIMITS_PROVIDERS } from '../limits/limits.providers.js';
import { SSE_OPTIONS } from '../sse.tokens.js';
import { jsonBodyMiddleware } from './json-body.middleware.js';
import { PresenceController } from './presence.controller.js';
import { PublishController } from './publish.controller.js';
import { StreamController } from './stream.controller.js';
import { SyncController } from './sync.controller.js';

/**
 * The HTTP API, mounted by `SseModule.forRoot({ http })` under its prefix: streams and JSON
 * history, REST publish, the sync handshake, channel presence; the `ChannelAuthorizer` and
 * the client limits guarding them. It reaches the hub through the (global) `SseModule`.
 */
@Module({
  controllers: [StreamController, PublishController, SyncController, PresenceController],
  providers: [...AUTH_PROVIDERS, ...LIMITS_PROVIDERS],
})
export class SseHttpModule implements NestModule {
  constructor(@Inject(SSE_OPTIONS) private readonly options: ResolvedSseOptions) {}

  configure(consumer: MiddlewareConsumer): void {
    // By controller, so the routes carry the module's prefix.
    consumer.apply(jsonBodyMiddleware(this.options.maxEventBytes)).forRoutes(PublishController, SyncController);
  }
}
