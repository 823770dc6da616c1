import { Controller, Get, Header, HttpCode, NotAcceptableException, Options, Param, Req, Res, Sse, UseFilters, type MessageEvent } from '@nestjs/common';
import type { Request, Response } from 'express';
import type { Observable } from 'rxjs';
import { ApiExcludeEndpoint } from '@nestjs/swagger';
import type { HistoryPage } from '../broker/broker.interface.js';
import { SseHub } from '../channel/sse-hub.service.js';
import { readLastEventId } from '../decorators/last-event-id.decorator.js';
import { StreamPosition } from '../position/stream-position.js';
import { ChannelAccess, channelUrlAnswer } from './channel-access.decorator.js';
import { EventStreamRoute } from './event-stream-route.js';
import { historyJson } from './history-response.js';
import { SseHttpErrorFilter } from './http-error.filter.js';
import { notAcceptable } from './http.messages.js';
import { ApiAllowAnswer } from './openapi/shared-api.decorator.js';
import { ApiChannelEvents, ApiChannelsEvents, ApiStreamRoutes } from './openapi/stream-api.decorator.js';
import { parseAfter, parseChannelList, parseHistoryLimit } from './stream-query.js';

/**
 * Streams: one channel (`/channels/:channel/events`) or several on one connection
 * (`/events?channel=a&channel=b`), declared with `@Sse()` and served by the module's stream
 * writer. The same channel URL answers its recent history as JSON to a client that asks
 * for `application/json`: a route of its own, declared after the stream route, which passes
 * every request that does not accept `text/event-stream` on to it (see `EventStreamRoute`).
 * Each route's guards judge only its own requests.
 */
@Controller()
@UseFilters(SseHttpErrorFilter)
@ApiStreamRoutes()
export class StreamController {
  constructor(private readonly hub: SseHub) {}

  @Sse('channels/:channel/events')
  // Documented with the route below: one URL, its answer chosen by Accept.
  @ApiExcludeEndpoint()
  @ChannelAccess({
    action: 'subscribe',
    channels: (request) => [String((request as Request).params.channel)],
    stream: () => true,
  })
  @EventStreamRoute()
  channel(@Param('channel') channel: string, @Req() request: Request): Observable<MessageEvent> {
    return this.hub.stream([channel], { lastEventId: readLastEventId(request) });
  }

  @Get('channels/:channel/events')
  @ApiChannelEvents()
  @ChannelAccess({
    action: 'subscribe',
    channels: (request) => [String((request as Request).params.channel)],
  })
  async history(@Param('channel') channel: string, @Req() request: Request, @Res() response: Response): Promise<void> {
    if (channelUrlAnswer(request) !== 'history') throw new NotAcceptableException(notAcceptable);
    const limit = parseHistoryLimit(request.query.limit);
    const after = parseAfter(request.query.after);
    const position = after === undefined ? undefined : StreamPosition.parse(after);
    let page: HistoryPage;
    if (position === null) {
      // Not a position at all: nothing to replay, and the reset says where the channel stands.
      const { head } = await this.hub.history(channel, { limit: 0 });
      page = { events: [], head, reset: 'unknown' };
    } else {
      page = await this.hub.history(channel, position === undefined ? { limit } : { after: position, limit });
    }
    response.status(200).type('application/json').setHeader('Cache-Control', 'no-cache');
    response.send(historyJson(page));
  }

  @Sse('events')
  @ApiChannelsEvents()
  @ChannelAccess({
    action: 'subscribe',
    channels: (request) => parseChannelList(request.query?.channel),
    stream: () => true,
  })
  channels(@Req() request: Request): Observable<MessageEvent> {
    return this.hub.stream(parseChannelList(request.query.channel), { lastEventId: readLastEventId(request) });
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
}
