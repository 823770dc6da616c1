import { applyDecorators, SetMetadata, UseGuards } from '@nestjs/common';
import { ClientLimitsGuard } from '../limits/client-limits.guard.js';
import { CHANNEL_ACCESS, type ChannelAccessOptions } from './channel-access.options.js';
import { ChannelAccessGuard } from './channel-access.guard.js';

/**
 * Marks a route that publishes to or reads channels: its token is checked against the
 * channels (401/403), then the client's limits (429). Without a configured key only the
 * limits apply.
 */
export const ChannelAccess = (options: ChannelAccessOptions) =>
  applyDecorators(SetMetadata(CHANNEL_ACCESS, options), UseGuards(ChannelAccessGuard, ClientLimitsGuard));

/** `Accept` picks the event stream (not the JSON history) on a channel URL. */
export const wantsEventStream = (request: { accepts(types: string[]): string | false }) =>
  request.accepts(['text/event-stream', 'application/json']) === 'text/event-stream';
