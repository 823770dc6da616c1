import { Controller, Get, Header, HttpCode, Options, Param, UseFilters } from '@nestjs/common';
import type { Request } from 'express';
import { ChannelPresenceService, type ChannelPresence } from '../cluster/channel-presence.service.js';
import { ChannelAccess } from './channel-access.decorator.js';
import { SseHttpErrorFilter } from './http-error.filter.js';

/**
 * `GET /channels/:channel/presence`: how many subscribers a channel has, in total and on
 * each instance, as the instances last reported (about one presence interval old).
 * Whoever may subscribe to the channel may ask.
 */
@Controller()
@UseFilters(SseHttpErrorFilter)
export class PresenceController {
  constructor(private readonly presence: ChannelPresenceService) {}

  @Get('channels/:channel/presence')
  @Header('Cache-Control', 'no-cache')
  @ChannelAccess({ action: 'subscribe', channels: (request) => [String((request as Request).params.channel)] })
  channel(@Param('channel') channel: string): Promise<ChannelPresence> {
    return this.presence.of(channel);
  }

  /** A plain `OPTIONS` (CORS preflights are answered before routing): what the URL allows. */
  @Options('channels/:channel/presence')
  @HttpCode(204)
  @Header('Allow', 'GET, HEAD, OPTIONS')
  channelOptions(): void {}
}
