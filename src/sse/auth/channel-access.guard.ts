import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { ServerResponse } from 'node:http';
import { SseHub } from '../channel/sse-hub.service.js';
import { CHANNEL_ACCESS, type ChannelAccessOptions } from './channel-access.options.js';
import { ChannelAuthorizer, type ChannelRequest } from './channel-authorizer.interface.js';
import { setRequestGrant } from './request-grant.js';
import { setStreamExpiry } from '../stream/stream-expiry.js';

/**
 * Checks a channel route's credential with the `ChannelAuthorizer`, in this order: a bad
 * credential is 401, bad channel names 400, no credential for a channel that needs one
 * 401, channels the credential does not allow 403. A stream is set to close when its
 * credential expires.
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
    const request = context.switchToHttp().getRequest<ChannelRequest>();
    if (!options) return true;
    const stream = options.stream?.(request) ?? false;
    const grant = await this.authorizer.authenticate(request, options.action, stream);
    const channels = options.channels(request);
    this.hub.assertChannels(channels);
    const query = request.query?.lastEventId;
    await this.authorizer.authorize(grant, {
      action: options.action,
      channels,
      stream,
      lastEventId: typeof query === 'string' ? query : undefined,
    });
    if (grant) {
      setRequestGrant(request, grant);
      if (stream && grant.expiresAt !== undefined) {
        setStreamExpiry(context.switchToHttp().getResponse<ServerResponse>(), grant.expiresAt);
      }
    }
    return true;
  }
}
