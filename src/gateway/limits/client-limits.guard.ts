import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request, Response } from 'express';
import type { GatewayConfig } from '../../config/gateway.config.js';
import { CHANNEL_ACCESS, type ChannelAccessOptions } from '../auth/channel-access.options.js';
import { requestGrant } from '../auth/request-grant.js';
import { GATEWAY_CONFIG } from '../gateway.tokens.js';
import { ClientAddressResolver } from './client-address.util.js';
import { ConnectionLimiter } from './connection-limiter.service.js';
import { publishRateExceeded, tooManyStreams } from './limits.messages.js';
import { RateLimitStore } from './rate-limit-store.interface.js';
import { TooManyRequestsError } from './too-many-requests.error.js';

/**
 * The per-client limits of a `@ChannelAccess()` route: publishes per window per token
 * subject (else client address), and streams open at once per client address.
 */
@Injectable()
export class ClientLimitsGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    @Inject(RateLimitStore) private readonly store: RateLimitStore,
    private readonly addresses: ClientAddressResolver,
    private readonly connections: ConnectionLimiter,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const options = this.reflector.get<ChannelAccessOptions | undefined>(CHANNEL_ACCESS, context.getHandler());
    if (!options) return true;
    const request = context.switchToHttp().getRequest<Request>();
    const { publishRateLimit: limit, publishRateWindowMs: windowMs } = this.config.security;
    if (options.action === 'publish' && limit !== undefined) {
      const subject = requestGrant(request)?.subject;
      const key = subject !== undefined ? `publish:sub:${subject}` : `publish:ip:${this.addresses.resolve(request)}`;
      const hit = await this.store.hit(key, windowMs);
      if (hit.count > limit) throw new TooManyRequestsError(publishRateExceeded(limit, windowMs), hit.resetInMs / 1000);
    }
    if (options.stream?.(request) && this.connections.maxPerAddress !== undefined) {
      const address = this.addresses.resolve(request);
      if (!this.connections.acquire(address)) throw new TooManyRequestsError(tooManyStreams(this.connections.maxPerAddress), 5);
      context.switchToHttp().getResponse<Response>().once('close', () => this.connections.release(address));
    }
    return true;
  }
}
