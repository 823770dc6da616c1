import { Injectable, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import type { Request } from 'express';
import { mergeMap, type Observable } from 'rxjs';
import type { SyncAnswer } from '../sync/sync.controller.js';
import { requestGrant } from './request-grant.js';
import { StreamTokenService } from './stream-token.service.js';
import { TOKEN_QUERY } from './token-sources.util.js';

/**
 * The handshake's second half: an authenticated `POST /sync` answers a stream url that
 * carries a short-lived stream token for exactly its channels and position, so the
 * client's own token never travels in a URL.
 */
@Injectable()
export class SyncTokenInterceptor implements NestInterceptor {
  constructor(private readonly streamTokens: StreamTokenService) {}

  intercept(context: ExecutionContext, next: CallHandler<SyncAnswer>): Observable<SyncAnswer> {
    const grant = requestGrant(context.switchToHttp().getRequest<Request>());
    return next.handle().pipe(
      mergeMap(async (answer) => {
        if (!grant) return answer;
        const channels = answer.channels ?? (answer.channel !== undefined ? [answer.channel] : []);
        const position = new URL(answer.url, 'http://gateway').searchParams.get('lastEventId') ?? undefined;
        const token = await this.streamTokens.issue(grant, channels, position);
        return { ...answer, url: `${answer.url}&${TOKEN_QUERY}=${encodeURIComponent(token)}` };
      }),
    );
  }
}
