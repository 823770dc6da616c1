import { createHash, timingSafeEqual } from 'node:crypto';
import {
  ForbiddenError,
  UnauthorizedError,
  type AccessGrant,
  type ChannelAccessRequest,
  type ChannelAuthorizer,
  type ChannelRequest,
} from 'nest-sse-gateway';

/** The channels this service's key opens: `orders` and its sub-channels (`orders.eu`, ...). */
const ORDERS_CHANNELS = /^orders(\.|$)/;

/**
 * Who may use the mounted HTTP API (`/sse/...`): the services that hold this service's API
 * key, sent as an `X-API-Key` header, and only on the orders channels. No header: 401; a
 * wrong key: 401; another channel: 403. A session or a Passport strategy fits the same seam.
 */
export class ApiKeyAuthorizer implements ChannelAuthorizer {
  private readonly key: Buffer;

  constructor(apiKey: string) {
    this.key = digest(apiKey);
  }

  async authenticate(request: ChannelRequest): Promise<AccessGrant | undefined> {
    const sent = request.headers['x-api-key'];
    if (sent === undefined) return undefined;
    // Digests of equal length, so the comparison takes the same time whatever was sent.
    if (typeof sent !== 'string' || !timingSafeEqual(digest(sent), this.key)) {
      throw new UnauthorizedError('the X-API-Key header holds no key of this service', true);
    }
    return { subject: 'api-key' };
  }

  authorize(grant: AccessGrant | undefined, access: ChannelAccessRequest): void {
    if (!grant) throw new UnauthorizedError('send this service\'s API key in an X-API-Key header', false);
    const others = access.channels.filter((channel) => !ORDERS_CHANNELS.test(channel));
    if (others.length > 0) throw new ForbiddenError(`the API key opens the orders channels only, not ${others.join(', ')}`);
  }
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}
