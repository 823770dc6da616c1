import { Controller, Get, Header, HttpCode, NotAcceptableException, Options, Param, Req, Res, UseFilters } from '@nestjs/common';
import type { Request, Response } from 'express';
import { SseHub } from '../channel/sse-hub.service.js';
import { readLastEventId } from '../decorators/last-event-id.decorator.js';
import { SseResponder } from '../stream/sse-responder.service.js';
import { ChannelAccess, channelUrlAnswer, wantsEventStream } from './channel-access.decorator.js';
import { historyJson } from './history-response.js';
import { SseHttpErrorFilter } from './http-error.filter.js';
import { notAcceptable } from './http.messages.js';
import { ApiAllowAnswer } from './openapi/shared-api.decorator.js';
import { ApiChannelEvents, ApiChannelsEvents, ApiStreamRoutes } from './openapi/stream-api.decorator.js';
import { parseAfter, parseChannelList, parseHistoryLimit } from './stream-query.js';

/**
 * Streams: one channel (`/channels/:channel/events`) or several on one connection
 * (`/events?channel=a&channel=b`). The same channel URL answers its recent history as JSON
 * to a client that asks for `application/json`.
 */
@Controller()
@UseFilters(SseHttpErrorFilter)
@ApiStreamRoutes()
export class StreamController {
  constructor(
    private readonly hub: SseHub,
    private readonly responder: SseResponder,
  ) {}

  @Get('channels/:channel/events')
  @ApiChannelEvents()
  @ChannelAccess({
    action: 'subscribe',
    channels: (request) => [String((request as Request).params.channel)],
    stream: wantsEventStream,
  })
  async channel(@Param('channel') channel: string, @Req() request: Request, @Res() response: Response): Promise<void> {
    const answer = channelUrlAnswer(request);
    if (answer === 'history') return this.history(channel, request, response);
    if (answer === undefined) throw new NotAcceptableException(notAcceptable);
    await this.responder.stream(request, response, [channel], readLastEventId(request), 'single');
  }

  @Get('events')
  @ApiChannelsEvents()
  @ChannelAccess({
    action: 'subscribe',
    channels: (request) => parseChannelList(request.query?.channel),
    stream: () => true,
  })
  async channels(@Req() request: Request, @Res() response: Response): Promise<void> {
    const channels = parseChannelList(request.query.channel);
    await this.responder.stream(request, response, channels, readLastEventId(request), 'multi');
  }

  /** A plain `OPTIONS` (CORS preflights are answered before routing): what the URL allows. */
  @Options('channels/:channel/events')
  @HttpCode(204)
  @Header('Allow', 'GET, HEAD, POST, OPTIONS')
  @ApiAllowAnswer('channelEventsOptions', 'GET, HEAD, POST, OPTIONS')
  channelOptions(): void {}

  @Options('events')
  @HttpCode(204)
  @Header('Allow', 'GET, HEAD, OPTIONS')
  @ApiAllowAnswer('channelsEventsOptions', 'GET, HEAD, OPTIONS')
  channelsOptions(): void {}

  private async history(channel: string, request: Request, response: Response): Promise<void> {
    const limit = parseHistoryLimit(request.query.limit);
    const after = parseAfter(request.query.after);
    const page = await this.hub.history(channel, after === undefined ? { limit } : { after, limit });
    response.status(200).type('application/json').setHeader('Cache-Control', 'no-cache');
    response.send(historyJson(page));
  }
}
