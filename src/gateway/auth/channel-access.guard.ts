import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request, Response } from 'express';
import { SseHub } from '../../sse/index.js';
import { CHANNEL_ACCESS, type ChannelAccessOptions } from './channel-access.options.js';
import { ChannelAuthorizer } from './channel-authorizer.interface.js';
import { setRequestGrant } from './request-grant.js';
import { closeStreamAtExpiry } from './stream-expiry.js';

/**
 * Checks a `@ChannelAccess()` route's token, in this order: a bad token is 401, bad
 * channel names 400, no token for a channel that needs one 401, channels the token does
 * not allow 403. A stream is set to close when its token expires.
 */
@Injectable()
export class ChannelAccessGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    @Inject(ChannelAuthorizer) private readonly authorizer: ChannelAuthorizer,
    private readonly hub: SseHub,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const options = this.reflector.get<ChannelAccessOptions | undefined>(CHANNEL_ACCESS, context.getHandler());
    if (!options || !this.authorizer.enabled) return true;
    const request = context.switchToHttp().getRequest<Request>();
    const stream = options.stream?.(request) ?? false;
    const grant = await this.authorizer.authenticate(request, options.sources, { streamTokens: stream });
    const channels = options.channels(request);
    this.hub.assertChannels(channels);
    const position = typeof request.query.lastEventId === 'string' ? request.query.lastEventId : undefined;
    this.authorizer.authorize(grant, options.action, channels, options.sources, position);
    if (grant) {
      setRequestGrant(request, grant);
      if (stream && grant.expiresAt !== undefined) {
        closeStreamAtExpiry(context.switchToHttp().getResponse<Response>(), grant.expiresAt);
      }
    }
    return true;
  }
}
