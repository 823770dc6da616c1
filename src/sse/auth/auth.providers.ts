import type { Provider } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import type { ResolvedSseOptions } from '../interfaces/sse-module-options.interface.js';
import { SSE_OPTIONS } from '../sse.tokens.js';
import { ChannelAccessGuard } from './channel-access.guard.js';
import { ChannelAuthorizer } from './channel-authorizer.interface.js';
import { JwtChannelAuthorizer } from './jwt-channel.authorizer.js';
import { OpenChannelAuthorizer } from './open-channel.authorizer.js';

/**
 * The `ChannelAuthorizer`, chosen by one factory: the application's own (an instance, or a
 * class made with its dependencies), the JWT authorizer when `http.jwt` is set, else the
 * open one (which warns loudly at start).
 */
export const AUTH_PROVIDERS: Provider[] = [
  {
    provide: ChannelAuthorizer,
    inject: [SSE_OPTIONS, ModuleRef],
    useFactory: async (options: ResolvedSseOptions, moduleRef: ModuleRef): Promise<ChannelAuthorizer> => {
      const http = options.http;
      if (typeof http?.authorizer === 'function') return moduleRef.create(http.authorizer);
      if (http?.authorizer) return http.authorizer;
      if (http?.jwt) return new JwtChannelAuthorizer(http.jwt);
      return new OpenChannelAuthorizer();
    },
  },
  ChannelAccessGuard,
];
