import { applyDecorators, SetMetadata, UseGuards } from '@nestjs/common';
import type { IncomingMessage } from 'node:http';
import Negotiator from 'negotiator';
import { ChannelAccessGuard } from '../auth/channel-access.guard.js';
import { CHANNEL_ACCESS, type ChannelAccessOptions } from '../auth/channel-access.options.js';
import { ClientLimitsGuard } from '../limits/client-limits.guard.js';

/**
 * Marks a route that publishes to or reads channels: its credential is checked against
 * the channels (401/403) by the `ChannelAuthorizer`, then the client's limits (429).
 */
export const ChannelAccess = (options: ChannelAccessOptions) =>
  applyDecorators(SetMetadata(CHANNEL_ACCESS, options), UseGuards(ChannelAccessGuard, ClientLimitsGuard));

const CHANNEL_URL_TYPES = ['text/event-stream', 'application/json'];

/**
 * What a channel URL answers for this `Accept` (RFC 9110 §12.5.1, with `negotiator`, as
 * Express reads it): the event stream, the JSON history, or nothing acceptable (406).
 */
export function channelUrlAnswer(request: IncomingMessage): 'stream' | 'history' | undefined {
  const type = new Negotiator(request).mediaType(CHANNEL_URL_TYPES);
  return type === 'text/event-stream' ? 'stream' : type === 'application/json' ? 'history' : undefined;
}

/** `Accept` picks the event stream (not the JSON history) on a channel URL. */
export const wantsEventStream = (request: IncomingMessage): boolean => channelUrlAnswer(request) === 'stream';
