import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { decodeProtectedHeader } from 'jose';
import type { IncomingMessage } from 'node:http';
import type { GatewayConfig } from '../../config/gateway.config.js';
import { GATEWAY_CONFIG } from '../gateway.tokens.js';
import type { AccessGrant } from './access-grant.js';
import {
  authEnabled,
  notAllowed,
  randomStreamKeyWarning,
  streamTokenElsewhere,
  streamTokenOtherChannels,
  streamTokenOtherPosition,
  tokenRequired,
} from './auth.messages.js';
import type { ChannelAction, ChannelAuthorizer } from './channel-authorizer.interface.js';
import { channelMatcher } from '../../sse/index.js';
import { ForbiddenError } from './forbidden.error.js';
import { STREAM_TOKEN_TYPE, StreamTokenService } from './stream-token.service.js';
import { findToken, TOKEN_COOKIE, TOKEN_QUERY, type TokenSource } from './token-sources.util.js';
import { TokenVerifier } from './token-verifier.interface.js';
import { UnauthorizedError } from './unauthorized.error.js';

const SOURCE_NAMES: Record<TokenSource, string> = {
  header: 'Authorization: Bearer',
  query: `?${TOKEN_QUERY}=`,
  cookie: `the ${TOKEN_COOKIE} cookie`,
};

/** Authorization by JWT claims, with `SSE_PUBLIC_CHANNELS` open to anyone for subscribing. */
@Injectable()
export class JwtChannelAuthorizer implements ChannelAuthorizer, OnApplicationBootstrap {
  readonly enabled = true;
  private readonly logger = new Logger('Auth');
  private readonly isPublic: (channel: string) => boolean;

  constructor(
    @Inject(TokenVerifier) private readonly verifier: TokenVerifier,
    private readonly streamTokens: StreamTokenService,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
  ) {
    this.isPublic = channelMatcher(config.security.publicChannels);
  }

  onApplicationBootstrap(): void {
    const { jwt, publicChannels, streamTokenSecretSource } = this.config.security;
    const how = jwt?.kind === 'secret' ? 'HS256 secret' : jwt?.kind === 'public-key' ? `${jwt.algorithm} public key` : 'JWKS url';
    this.logger.log(authEnabled(how, publicChannels));
    if (streamTokenSecretSource === 'random') this.logger.warn(randomStreamKeyWarning);
  }

  async authenticate(
    request: IncomingMessage & { query?: Record<string, unknown> },
    sources: readonly TokenSource[],
    options: { readonly streamTokens: boolean },
  ): Promise<AccessGrant | undefined> {
    const found = findToken(request, sources);
    if (found === undefined) return undefined;
    if (isStreamToken(found.token)) {
      if (!options.streamTokens) throw new UnauthorizedError(streamTokenElsewhere, true);
      return this.streamTokens.verify(found.token);
    }
    return this.verifier.verify(found.token);
  }

  authorize(
    grant: AccessGrant | undefined,
    action: ChannelAction,
    channels: readonly string[],
    sources: readonly TokenSource[],
    position?: string,
  ): void {
    const required = () => new UnauthorizedError(tokenRequired(action, sources.map((s) => SOURCE_NAMES[s]).join(', ')), false);
    if (action === 'publish') {
      if (!grant) throw required();
      const denied = channels.filter((c) => !grant.canPublish(c));
      if (denied.length > 0) throw new ForbiddenError(notAllowed('publish', denied));
      return;
    }
    if (grant?.stream) {
      const wanted = [...new Set(channels)].sort();
      const issued = [...new Set(grant.stream.channels)].sort();
      if (wanted.length !== issued.length || wanted.some((c, i) => c !== issued[i])) throw new ForbiddenError(streamTokenOtherChannels);
      if (grant.stream.position !== undefined && grant.stream.position !== position) throw new ForbiddenError(streamTokenOtherPosition);
      return;
    }
    const denied = channels.filter((c) => !this.isPublic(c) && !grant?.canSubscribe(c));
    if (denied.length === 0) return;
    if (!grant) throw required();
    throw new ForbiddenError(notAllowed('subscribe', denied));
  }
}

function isStreamToken(token: string): boolean {
  try {
    return decodeProtectedHeader(token).typ === STREAM_TOKEN_TYPE;
  } catch {
    return false;
  }
}
