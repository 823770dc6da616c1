import { Body, Controller, Headers, HttpCode, Param, Post, UseFilters } from '@nestjs/common';
import type { Request } from 'express';
import { SseHub } from '../channel/sse-hub.service.js';
import type { PublishedEvent } from '../interfaces/channel.interface.js';
import { ChannelAccess } from './channel-access.decorator.js';
import { SseHttpErrorFilter } from './http-error.filter.js';
import { ApiPublish, ApiPublishRoutes } from './openapi/publish-api.decorator.js';
import { parseIdempotencyKey, parsePublishBody } from './publish-request.js';

/** REST publishing: `201 {id, channel}` only once the broker has stored the event. */
@Controller('channels')
@UseFilters(SseHttpErrorFilter)
@ApiPublishRoutes()
export class PublishController {
  constructor(private readonly hub: SseHub) {}

  @Post(':channel/events')
  @HttpCode(201)
  @ApiPublish()
  @ChannelAccess({ action: 'publish', channels: (request) => [String((request as Request).params.channel)] })
  async publish(
    @Param('channel') channel: string,
    @Body() body: unknown,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
  ): Promise<Pick<PublishedEvent, 'id' | 'channel'>> {
    const message = parsePublishBody(body);
    const key = parseIdempotencyKey(idempotencyKey);
    const published = await this.hub.publish(channel, message, { idempotencyKey: key });
    return { id: published.id, channel: published.channel };
  }
}
