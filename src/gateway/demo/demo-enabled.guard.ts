import { Inject, Injectable, NotFoundException, type CanActivate, type ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';
import type { GatewayConfig } from '../../config/gateway.config.js';
import { GATEWAY_CONFIG } from '../gateway.tokens.js';
import { notServed } from './demo.messages.js';

/**
 * The pages for people exist only with `SSE_DEMO` on (the default). Off, their routes
 * answer exactly as a route that does not exist: 404 `Cannot GET /`.
 */
@Injectable()
export class DemoEnabledGuard implements CanActivate {
  constructor(@Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig) {}

  canActivate(context: ExecutionContext): boolean {
    if (this.config.server.demo) return true;
    const request = context.switchToHttp().getRequest<Request>();
    throw new NotFoundException(notServed(request.method, request.path));
  }
}
