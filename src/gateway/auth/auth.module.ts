import { Module } from '@nestjs/common';
import type { GatewayConfig } from '../../config/gateway.config.js';
import { GATEWAY_CONFIG } from '../gateway.tokens.js';
import { ChannelAuthorizer } from './channel-authorizer.interface.js';
import { JoseTokenVerifier } from './jose-token.verifier.js';
import { JwtChannelAuthorizer } from './jwt-channel.authorizer.js';
import { OpenChannelAuthorizer } from './open-channel.authorizer.js';
import { StreamTokenService } from './stream-token.service.js';
import { SyncTokenInterceptor } from './sync-token.interceptor.js';
import { TokenVerifier } from './token-verifier.interface.js';

/**
 * Who may publish and subscribe: the JWT verifier and the authorizer when a key is
 * configured, an open authorizer (with a loud warning) when none is.
 */
@Module({
  providers: [
    StreamTokenService,
    SyncTokenInterceptor,
    {
      provide: TokenVerifier,
      inject: [GATEWAY_CONFIG],
      useFactory: (config: GatewayConfig) => (config.security.jwt ? new JoseTokenVerifier(config) : null),
    },
    {
      provide: ChannelAuthorizer,
      inject: [GATEWAY_CONFIG, TokenVerifier, StreamTokenService],
      useFactory: (config: GatewayConfig, verifier: TokenVerifier | null, streamTokens: StreamTokenService) =>
        verifier ? new JwtChannelAuthorizer(verifier, streamTokens, config) : new OpenChannelAuthorizer(),
    },
  ],
  exports: [ChannelAuthorizer, TokenVerifier, StreamTokenService, SyncTokenInterceptor],
})
export class AuthModule {}
