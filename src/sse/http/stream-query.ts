import { InvalidInputError } from '../errors/invalid-input.error.js';
import { channelListRequired, historyAfterInvalid, historyLimitInvalid } from './http.messages.js';

export const DEFAULT_HISTORY_LIMIT = 100;
export const MAX_HISTORY_LIMIT = 1000;

/** `?limit=` of the JSON history: 1-1000, 100 when absent. */
export function parseHistoryLimit(raw: unknown): number {
  if (raw === undefined) return DEFAULT_HISTORY_LIMIT;
  const value = Array.isArray(raw) ? raw[0] : raw;
  if (typeof value !== 'string' || !/^\d{1,7}$/.test(value) || Number(value) < 1 || Number(value) > MAX_HISTORY_LIMIT) {
    throw new InvalidInputError(historyLimitInvalid(MAX_HISTORY_LIMIT));
  }
  return Number(value);
}

/** `?after=` of the JSON history: a position, or absent. */
export function parseAfter(raw: unknown): string | undefined {
  if (raw === undefined) return undefined;
  const value = Array.isArray(raw) ? raw[0] : raw;
  if (typeof value !== 'string') throw new InvalidInputError(historyAfterInvalid);
  return value;
}

/** `?channel=a&channel=b` (or `channel=a,b`): the channels of a several-channel stream, deduplicated. */
export function parseChannelList(raw: unknown): string[] {
  const values = raw === undefined ? [] : Array.isArray(raw) ? raw : [raw];
  const channels = values.flatMap((value) => (typeof value === 'string' ? value.split(',') : [String(value)]));
  if (channels.length === 0) throw new InvalidInputError(channelListRequired);
  return [...new Set(channels)];
}
