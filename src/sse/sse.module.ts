import { Module, type DynamicModule, type Provider } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { SseHub, type ChannelPolicy } from './channel/sse-hub.service.js';
import { MISSING_FOR_ROOT } from './sse.messages.js';
import { ASYNC_OPTIONS_TYPE, ConfigurableModuleClass, OPTIONS_TYPE } from './sse.module-definition.js';
import { SSE_CORE_EXPORTS, SSE_CORE_PROVIDERS } from './sse.providers.js';
import { getChannelToken } from './utils/channel-token.util.js';

/** A channel to provide through DI: `SseModule.forFeature([{ name: 'orders' }])`. */
export interface ChannelDefinition {
  readonly name: string;
  /** `latest` makes it a state channel: a client that falls behind skips to the newest event. */
  readonly policy?: ChannelPolicy;
}

/**
 * Server-Sent Events for a horizontally scaled Nest application.
 *
 * `forRoot({ redis })` once (no `redis`: in-memory broker, one process), then
 * `forFeature([{ name }])` wherever a channel is injected with `@InjectChannel(name)`.
 */
@Module({})
export class SseModule extends ConfigurableModuleClass {
  static override forRoot(options: typeof OPTIONS_TYPE = {}): DynamicModule {
    return withCore(super.forRoot(options));
  }

  static override forRootAsync(options: typeof ASYNC_OPTIONS_TYPE): DynamicModule {
    return withCore(super.forRootAsync(options));
  }

  static forFeature(channels: readonly ChannelDefinition[]): DynamicModule {
    const providers: Provider[] = channels.map(({ name, policy }) => ({
      provide: getChannelToken(name),
      useFactory: (hub: SseHub | undefined) => {
        if (!hub) throw new Error(MISSING_FOR_ROOT);
        if (policy) hub.declarePolicy(name, policy);
        return hub.channel(name);
      },
      inject: [{ token: SseHub, optional: true }],
    }));
    return { module: SseModule, providers, exports: providers };
  }
}

function withCore(module: DynamicModule): DynamicModule {
  return {
    ...module,
    // DiscoveryModule: `SseStreamRoutes` finds the application's @Sse() routes.
    imports: [...(module.imports ?? []), DiscoveryModule],
    providers: [...(module.providers ?? []), ...SSE_CORE_PROVIDERS],
    exports: [...(module.exports ?? []), ...SSE_CORE_EXPORTS],
  };
}
