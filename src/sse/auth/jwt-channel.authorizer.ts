import { Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { decodeProtectedHeader } from 'jose';
import type { ResolvedJwtOptions } from '../interfaces/sse-http-options.interface.js';
import { channelMatcher } from '../utils/channel-pattern.util.js';
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
import type { ChannelAccessRequest, ChannelAction, ChannelAuthorizer, ChannelRequest } from './channel-authorizer.interface.js';
import { ForbiddenError } from './forbidden.error.js';
import { JoseTokenVerifier } from './jose-token.verifier.js';
import type { JwtGrant } from './jwt-grant.js';
import { channelsDigest, digest, STREAM_TOKEN_TYPE, StreamTokenService } from './stream-token.service.js';
import { findToken, TOKEN_COOKIE, TOKEN_QUERY, type TokenSource } from './token-sources.util.js';
import type { TokenVerifier } from './token-verifier.interface.js';
import { UnauthorizedError } from './unauthorized.error.js';

const SOURCE_NAMES: Record<TokenSource, string> = {
  header: 'Authorization: Bearer',
  query: `?${TOKEN_QUERY}=`,
  cookie: `the ${TOKEN_COOKIE} cookie`,
};

/**
 * Where each action takes its token from. Publishing only from the header: a cookie would
 * let other sites publish as the user (CSRF). Streams also from the query and the cookie:
 * `EventSource` cannot set headers.
 */
const SOURCES: Record<ChannelAction, readonly TokenSource[]> = {
  publish: ['header'],
  subscribe: ['header', 'query', 'cookie'],
  sync: ['header', 'cookie'],
};

/**
 * Authorization by JWT claims (`{"sse": {"publish": [...], "subscribe": [...]}}`), with
 * `publicChannels` open to anyone for subscribing, and short-lived stream tokens for the
 * stream urls `POST /sync` answers.
 */
export class JwtChannelAuthorizer implements ChannelAuthorizer, OnApplicationBootstrap {
  private readonly logger = new Logger('Auth');
  private readonly isPublic: (channel: string) => boolean;
  private readonly verifier: TokenVerifier;
  private readonly streamTokens: StreamTokenService;

  constructor(private readonly options: ResolvedJwtOptions) {
    this.isPublic = channelMatcher(options.publicChannels);
    this.verifier = new JoseTokenVerifier(options);
    this.streamTokens = new StreamTokenService(options);
  }

  onApplicationBootstrap(): void {
    const { key, publicChannels, streamTokenSecretSource } = this.options;
    const how = key.kind === 'secret' ? 'HS256 secret' : key.kind === 'public-key' ? `${key.algorithm} public key` : 'JWKS url';
    this.logger.log(authEnabled(how, publicChannels));
    if (streamTokenSecretSource === 'random') this.logger.warn(randomStreamKeyWarning);
  }

  async authenticate(request: ChannelRequest, action: ChannelAction, stream: boolean): Promise<JwtGrant | undefined> {
    const found = findToken(request, SOURCES[action]);
    if (found === undefined) return undefined;
    if (isStreamToken(found.token)) {
      if (!stream) throw new UnauthorizedError(streamTokenElsewhere, true);
      return this.streamTokens.verify(found.token);
    }
    return this.verifier.verify(found.token);
  }

  authorize(accessGrant: AccessGrant | undefined, { action, channels, lastEventId }: ChannelAccessRequest): void {
    // This authorizer made the grant in `authenticate`.
    const grant = accessGrant as JwtGrant | undefined;
    const required = () => new UnauthorizedError(tokenRequired(action, SOURCES[action].map((s) => SOURCE_NAMES[s]).join(', ')), false);
    if (action === 'publish') {
      if (!grant) throw required();
      const denied = channels.filter((c) => !grant.canPublish(c));
      if (denied.length > 0) throw new ForbiddenError(notAllowed('publish', denied));
      return;
    }
    if (grant?.stream) {
      if (channelsDigest(channels) !== grant.stream.channels) throw new ForbiddenError(streamTokenOtherChannels);
      if (grant.stream.lastEventId !== undefined && (lastEventId === undefined || digest(lastEventId) !== grant.stream.lastEventId)) {
        throw new ForbiddenError(streamTokenOtherPosition);
      }
      return;
    }
    const denied = channels.filter((c) => !this.isPublic(c) && !grant?.canSubscribe(c));
    if (denied.length === 0) return;
    if (!grant) throw required();
    throw new ForbiddenError(notAllowed('subscribe', denied));
  }

  streamUrlToken(grant: AccessGrant, channels: readonly string[], lastEventId: string | undefined): Promise<string> {
    return this.streamTokens.issue(grant, channels, lastEventId);
  }
}

function isStreamToken(token: string): boolean {
  try {
    return decodeProtectedHeader(token).typ === STREAM_TOKEN_TYPE;
  } catch {
    return false;
  }
}
