import { Logger, type OnApplicationBootstrap } from '@nestjs/common';
import type { AccessGrant } from './access-grant.js';
import { AUTH_DISABLED_WARNING } from './auth.messages.js';
import type { ChannelAuthorizer } from './channel-authorizer.interface.js';

/** No authorization configured: everything is allowed, and the start-up log says so loudly. */
export class OpenChannelAuthorizer implements ChannelAuthorizer, OnApplicationBootstrap {
  private readonly logger = new Logger('Auth');

  onApplicationBootstrap(): void {
    this.logger.warn(AUTH_DISABLED_WARNING);
  }

  async authenticate(): Promise<AccessGrant | undefined> {
    return undefined;
  }

  authorize(): void {}
}
