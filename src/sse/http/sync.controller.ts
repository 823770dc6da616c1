import { Body, Controller, Header, HttpCode, Inject, Options, Post, Req, UseFilters } from '@nestjs/common';
import { ChannelAuthorizer, type ChannelRequest } from '../auth/channel-authorizer.interface.js';
import { requestGrant } from '../auth/request-grant.js';
import { TOKEN_QUERY } from '../auth/token-sources.util.js';
import { CompositePosition } from '../position/composite-position.js';
import { SseHub } from '../channel/sse-hub.service.js';
import { InvalidInputError } from '../errors/invalid-input.error.js';
import type { ResolvedSseOptions } from '../interfaces/sse-module-options.interface.js';
import { SSE_OPTIONS } from '../sse.tokens.js';
import { ChannelAccess } from './channel-access.decorator.js';
import { SseHttpErrorFilter } from './http-error.filter.js';
import { syncBodyNotObject, syncBodyShape, syncLastEventIdInvalid } from './http.messages.js';
import { ApiAllowAnswer } from './openapi/shared-api.decorator.js';
import { ApiSync, ApiSyncRoutes } from './openapi/sync-api.decorator.js';

/** The answer of `POST /sync`. */
export interface SyncAnswer {
  readonly channel?: string;
  readonly channels?: readonly string[];
  /** The head (single channel; `null` when empty) or the composite position (several). */
  readonly lastEventId: string | null;
  /** Where to open the stream so that nothing after this answer is missed (an absolute path, the API's prefix included). */
  readonly url: string;
}

/**
 * The handshake: a client that has just loaded a snapshot asks for its channel, and is
 * told the position the snapshot corresponds to and the stream URL that continues from
 * exactly there. On an empty channel the position means "from the start". With an
 * authorizer that issues stream url credentials (the JWT one does), the url carries one.
 */
@Controller('sync')
@UseFilters(SseHttpErrorFilter)
@ApiSyncRoutes()
export class SyncController {
  private readonly base: string;

  constructor(
    private readonly hub: SseHub,
    @Inject(ChannelAuthorizer) private readonly authorizer: ChannelAuthorizer,
    @Inject(SSE_OPTIONS) options: ResolvedSseOptions,
  ) {
    this.base = options.http?.prefix ? `/${options.http.prefix}` : '';
  }

  @Post()
  @HttpCode(200)
  @ApiSync()
  @ChannelAccess({ action: 'sync', channels: (request) => syncChannels((request as { body?: unknown }).body) })
  async sync(@Body() body: unknown, @Req() request: ChannelRequest): Promise<SyncAnswer> {
    const wanted = parseSyncBody(body);
    const channels = typeof wanted === 'string' ? [wanted] : wanted;
    this.hub.assertChannels(channels);
    const resume = parseResumePosition(body);
    let lastEventId: string | null;
    let from: string;
    if (resume !== undefined) {
      // The url resumes from a position the client already has (after its token expired,
      // say) instead of the head, so nothing in between is lost.
      lastEventId = from = resume;
    } else if (typeof wanted === 'string') {
      const { head } = await this.hub.history(wanted, { limit: 0 });
      // On an empty channel the url resumes from the start of its stream, so nothing is missed.
      lastEventId = head.isStart ? null : head.toString();
      from = head.toString();
    } else {
      const position = new CompositePosition();
      const pages = await Promise.all(wanted.map((channel) => this.hub.history(channel, { limit: 0 })));
      wanted.forEach((channel, i) => position.set(channel, pages[i]!.head));
      lastEventId = from = position.token();
    }
    let url = this.base + streamUrl(wanted, from);
    const grant = requestGrant(request);
    const token = grant && (await this.authorizer.streamUrlToken?.(grant, channels, from));
    if (token !== undefined) url += `&${TOKEN_QUERY}=${encodeURIComponent(token)}`;
    return typeof wanted === 'string' ? { channel: wanted, lastEventId, url } : { channels: wanted, lastEventId, url };
  }

  @Options()
  @HttpCode(204)
  @Header('Allow', 'POST, OPTIONS')
  @ApiAllowAnswer('syncOptions', 'POST, OPTIONS')
  options(): void {}
}

/** The stream url of one channel, or of several on one connection, from `position`. */
function streamUrl(request: string | readonly string[], position: string): string {
  const from = `lastEventId=${encodeURIComponent(position)}`;
  if (typeof request === 'string') return `/channels/${encodeURIComponent(request)}/events?${from}`;
  return `/events?${request.map((channel) => `channel=${encodeURIComponent(channel)}`).join('&')}&${from}`;
}

/** The optional `"lastEventId"` of a sync body: 1-1024 visible ASCII characters. */
function parseResumePosition(body: unknown): string | undefined {
  const position = (body as { lastEventId?: unknown }).lastEventId;
  if (position === undefined) return undefined;
  if (typeof position !== 'string' || !/^[\x21-\x7e]{1,1024}$/.test(position)) throw new InvalidInputError(syncLastEventIdInvalid);
  return position;
}

/** `{"channel": "a"}` or `{"channels": ["a", "b"]}`. */
export function parseSyncBody(body: unknown): string | string[] {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new InvalidInputError(syncBodyNotObject);
  const { channel, channels } = body as { channel?: unknown; channels?: unknown };
  if (typeof channel === 'string' && channels === undefined) return channel;
  if (channel === undefined && Array.isArray(channels) && channels.every((c) => typeof c === 'string')) {
    return [...new Set(channels as string[])];
  }
  throw new InvalidInputError(syncBodyShape);
}

/** The channels a sync body asks for (what the authorization checks). */
export function syncChannels(body: unknown): string[] {
  const request = parseSyncBody(body);
  return typeof request === 'string' ? [request] : request;
}
