import { Body, Controller, Headers, HttpCode, Param, Post } from '@nestjs/common';
import { SseHub, type PublishedEvent } from '../../sse/index.js';
import { ChannelAccess } from '../auth/channel-access.decorator.js';
import { parseIdempotencyKey, parsePublishBody } from './publish-request.js';

/** REST publishing: `201 {id, channel}` only once the broker has stored the event. */
@Controller('channels')
export class PublishController {
  constructor(private readonly hub: SseHub) {}

  @Post(':channel/events')
  @HttpCode(201)
  @ChannelAccess({ action: 'publish', sources: ['header'], channels: (request) => [String(request.params.channel)] })
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
