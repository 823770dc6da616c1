import { Controller, Get, NotAcceptableException, Param, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { SseHub, SseResponder, readLastEventId } from '../../sse/index.js';
import { ChannelAccess, wantsEventStream } from '../auth/channel-access.decorator.js';
import { historyJson } from './history-response.js';
import { parseAfter, parseChannelList, parseHistoryLimit } from './stream-query.js';

/**
 * Streams: one channel (`/channels/:channel/events`) or several on one connection
 * (`/events?channel=a&channel=b`). The same channel URL answers its recent history as JSON
 * to a client that asks for `application/json`.
 */
@Controller()
export class StreamController {
  constructor(
    private readonly hub: SseHub,
    private readonly responder: SseResponder,
  ) {}

  @Get('channels/:channel/events')
  @ChannelAccess({
    action: 'subscribe',
    sources: ['header', 'query', 'cookie'],
    channels: (request) => [String(request.params.channel)],
    stream: wantsEventStream,
  })
  async channel(@Param('channel') channel: string, @Req() request: Request, @Res() response: Response): Promise<void> {
    const wants = request.accepts(['text/event-stream', 'application/json']);
    if (wants === 'application/json') return this.history(channel, request, response);
    if (wants === false) throw new NotAcceptableException('this URL serves text/event-stream or application/json');
    await this.responder.stream(request, response, [channel], readLastEventId(request), 'single');
  }

  @Get('events')
  @ChannelAccess({
    action: 'subscribe',
    sources: ['header', 'query', 'cookie'],
    channels: (request) => parseChannelList(request.query.channel),
    stream: () => true,
  })
  async channels(@Req() request: Request, @Res() response: Response): Promise<void> {
    const channels = parseChannelList(request.query.channel);
    await this.responder.stream(request, response, channels, readLastEventId(request), 'multi');
  }

  private async history(channel: string, request: Request, response: Response): Promise<void> {
    const limit = parseHistoryLimit(request.query.limit);
    const after = parseAfter(request.query.after);
    const page = await this.hub.history(channel, after === undefined ? { limit } : { after, limit });
    response.status(200).type('application/json').setHeader('Cache-Control', 'no-cache');
    response.send(historyJson(page));
  }
}
