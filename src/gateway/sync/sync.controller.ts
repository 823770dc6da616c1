import { Body, Controller, HttpCode, Post, UseInterceptors } from '@nestjs/common';
import { InvalidInputError, SseHub } from '../../sse/index.js';
import { CompositePosition } from '../../sse/channel/composite-position.js';
import { ChannelAccess } from '../auth/channel-access.decorator.js';
import { SyncTokenInterceptor } from '../auth/sync-token.interceptor.js';

export interface SyncAnswer {
  readonly channel?: string;
  readonly channels?: readonly string[];
  /** The head (single channel; `null` when empty) or the composite position (several). */
  readonly lastEventId: string | null;
  /** Where to open the stream so that nothing after this answer is missed. */
  readonly url: string;
}

/**
 * The handshake: a client that has just loaded a snapshot asks for its channel, and is
 * told the position the snapshot corresponds to and the stream URL that continues from
 * exactly there. On an empty channel the position means "from the start".
 */
@Controller('sync')
export class SyncController {
  constructor(private readonly hub: SseHub) {}

  @Post()
  @HttpCode(200)
  @ChannelAccess({ action: 'sync', sources: ['header', 'cookie'], channels: (request) => syncChannels(request.body) })
  @UseInterceptors(SyncTokenInterceptor)
  async sync(@Body() body: unknown): Promise<SyncAnswer> {
    const request = parseSyncBody(body);
    const resume = parseResumePosition(body);
    if (resume !== undefined) return this.resumeAt(request, resume);
    if (typeof request === 'string') {
      const { head, cursor } = await this.hub.history(request, { limit: 0 });
      return { channel: request, lastEventId: head, url: streamUrl(request, cursor) };
    }
    this.hub.assertChannels(request);
    const position = new CompositePosition();
    const pages = await Promise.all(request.map((channel) => this.hub.history(channel, { limit: 0 })));
    request.forEach((channel, i) => position.set(channel, pages[i]!.cursor));
    const token = position.token();
    return { channels: request, lastEventId: token, url: streamUrl(request, token) };
  }

  /**
   * `"lastEventId"` in the body: the url resumes from a position the client already has
   * (after its token expired, say), instead of the head, so nothing in between is lost.
   */
  private resumeAt(request: string | string[], position: string): SyncAnswer {
    this.hub.assertChannels(typeof request === 'string' ? [request] : request);
    const url = streamUrl(request, position);
    return typeof request === 'string' ? { channel: request, lastEventId: position, url } : { channels: request, lastEventId: position, url };
  }
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
  if (typeof position !== 'string' || !/^[\x21-\x7e]{1,1024}$/.test(position)) {
    throw new InvalidInputError('"lastEventId" must be an event id the stream gave (1-1024 visible ASCII characters)');
  }
  return position;
}

/** `{"channel": "a"}` or `{"channels": ["a", "b"]}`. */
export function parseSyncBody(body: unknown): string | string[] {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new InvalidInputError('the body must be a JSON object: {"channel": "<name>"} or {"channels": ["<name>", …]}');
  }
  const { channel, channels } = body as { channel?: unknown; channels?: unknown };
  if (typeof channel === 'string' && channels === undefined) {
    return channel;
  }
  if (channel === undefined && Array.isArray(channels) && channels.every((c) => typeof c === 'string')) {
    return [...new Set(channels as string[])];
  }
  throw new InvalidInputError('give either "channel": "<name>" or "channels": ["<name>", …]');
}

/** The channels a sync body asks for (what the authorization checks). */
export function syncChannels(body: unknown): string[] {
  const request = parseSyncBody(body);
  return typeof request === 'string' ? [request] : request;
}
