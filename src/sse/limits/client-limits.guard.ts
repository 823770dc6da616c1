import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { ServerResponse } from 'node:http';
import { CHANNEL_ACCESS, type ChannelAccessOptions } from '../auth/channel-access.options.js';
import type { ChannelRequest } from '../auth/channel-authorizer.interface.js';
import { requestGrant } from '../auth/request-grant.js';
import type { ResolvedSseOptions } from '../interfaces/sse-module-options.interface.js';
import { SSE_OPTIONS } from '../sse.tokens.js';
import { ClientAddressResolver } from './client-address.util.js';
import { ConnectionLimiter } from './connection-limiter.service.js';
import { publishRateExceeded, tooManyStreams } from './limits.messages.js';
import { RateLimitStore } from './rate-limit-store.interface.js';
import { TooManyRequestsError } from './too-many-requests.error.js';

/**
 * The per-client limits of a channel route: publishes per window per subject (else client
 * address), and streams open at once per client address. Runs after authorization, so
 * refused requests spend nothing.
 */
@Injectable()
export class ClientLimitsGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    @Inject(RateLimitStore) private readonly store: RateLimitStore,
    private readonly addresses: ClientAddressResolver,
    private readonly connections: ConnectionLimiter,
    @Inject(SSE_OPTIONS) private readonly options: ResolvedSseOptions,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const access = this.reflector.get<ChannelAccessOptions | undefined>(CHANNEL_ACCESS, context.getHandler());
    const limits = this.options.http?.limits;
    const request = context.switchToHttp().getRequest<ChannelRequest>();
    if (!access || !limits) return true;
    const { publishRateLimit: limit, publishRateWindowMs: windowMs } = limits;
    if (access.action === 'publish' && limit !== undefined) {
      const subject = requestGrant(request)?.subject;
      const key = subject !== undefined ? `publish:sub:${subject}` : `publish:ip:${this.addresses.resolve(request)}`;
      const hit = await this.store.hit(key, windowMs);
      if (hit.count > limit) throw new TooManyRequestsError(publishRateExceeded(limit, windowMs), hit.resetInMs / 1000);
    }
    if (access.stream?.(request) && this.connections.maxPerAddress !== undefined) {
      const address = this.addresses.resolve(request);
      if (!this.connections.acquire(address)) throw new TooManyRequestsError(tooManyStreams(this.connections.maxPerAddress), 5);
      context.switchToHttp().getResponse<ServerResponse>().once('close', () => this.connections.release(address));
    }
    return true;
  }
}
