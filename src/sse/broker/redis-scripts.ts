import type { Cluster, Redis } from 'ioredis';
import { StreamPosition } from '../position/stream-position.js';
import type { BrokerEvent, HistoryPage, PublishResult, ResetReason } from './broker.interface.js';
import type { RedisChannelKeys } from './redis-keys.util.js';

/*
 * The broker's Redis side: three Lua scripts (each one atomic step) and the parsers of what
 * they answer. Every script takes KEYS = stream, meta, idem, idemq (one hash slot); the
 * publish script's live channel (ARGV[1]) carries the same hash tag, so in a cluster its
 * SPUBLISH goes to the shard that stores the event, inside the same atomic step.
 */

/**
 * Shared Lua, the channel lifecycle: every key of the channel expires `ttl` ms from now,
 * together. The stream gets its deadline first (Redis 7.0 reads the clock per command, so
 * the others may get one a millisecond later, never earlier): a script that finds the stream
 * gone and the meta still there reads that as a lost stream and starts a new epoch, as it
 * does when all are gone; never the old stream under a new epoch. `ttl` 0 (never) takes back an expiry an earlier
 * setting left, so turning the setting off keeps busy channels; it comes only from publish
 * and history, after `channel_epoch` made the meta key, so one PTTL of it tells.
 */
const KEEP_ALIVE = String.raw`
local function keep_alive(ttl)
  if ttl > 0 then
    for i = 1, 4 do redis.call('PEXPIRE', KEYS[i], ttl) end
  elseif redis.call('PTTL', KEYS[2]) >= 0 then
    for i = 1, 4 do redis.call('PERSIST', KEYS[i]) end
  end
end
`;

/** Shared Lua: exact id comparison on digit strings (seq may exceed a double), and the epoch. */
const HELPERS = KEEP_ALIVE + String.raw`
local function cmp_digits(x, y)
  if #x ~= #y then return #x < #y and -1 or 1 end
  if x == y then return 0 end
  return x < y and -1 or 1
end
local function cmp_ids(a, b)
  local am, as = string.match(a, '^(%d+)-(%d+)$')
  local bm, bs = string.match(b, '^(%d+)-(%d+)$')
  local c = cmp_digits(am, bm)
  if c ~= 0 then return c end
  return cmp_digits(as, bs)
end
-- The channel's epoch, created on first use. If the stream this epoch numbered is gone
-- (restart without persistence and the channel TTL take the meta too; eviction or DEL may
-- take the stream alone) a new epoch starts, so positions of the lost stream read as unknown.
local function channel_epoch(candidate)
  local meta = redis.call('HMGET', KEYS[2], 'epoch', 'stream')
  local exists = redis.call('EXISTS', KEYS[1]) == 1
  if meta[1] and (exists or not meta[2]) then return meta[1], exists end
  if meta[1] then redis.call('DEL', KEYS[2], KEYS[3], KEYS[4]) end
  redis.call('HSET', KEYS[2], 'epoch', candidate)
  if exists then redis.call('HSET', KEYS[2], 'stream', '1') end
  return candidate, exists
end
`;

/**
 * The publish script, fanning out with `PUBLISH` (every node of a cluster) or `SPUBLISH`
 * (only the shard owning the channel's slot).
 *
 * ARGV: live channel, history limit, candidate epoch, event type ('' none), data,
 * has idempotency key ('1'/'0'), idempotency key, channel TTL in ms ('0' never). Answers
 * {stream id, epoch, duplicate}. Every publish, a duplicate too, restarts the TTL of all
 * the channel's keys.
 *
 * Trimming is exact (`MAXLEN =`), not `~`: Redis 7.0 does not move `max-deleted-entry-id`
 * when it trims (only XDEL does), so the script records the newest trimmed id itself in
 * meta `trimmed`, which it can only know when it trims exactly. Measured on this Redis,
 * exact trimming costs ~3.5 us more per XADD than `~` at a 1000-event history: noise next
 * to one round trip. It also makes `historyLimit` exact (no node-size slack).
 */
export const publishLua = (fanOut: 'PUBLISH' | 'SPUBLISH') =>
  HELPERS +
  String.raw`
local epoch, exists = channel_epoch(ARGV[3])
local limit = tonumber(ARGV[2])
local ttl = tonumber(ARGV[8])
if ARGV[6] == '1' then
  local earlier = redis.call('HGET', KEYS[3], ARGV[7])
  -- A key whose event has left the stream (same ms as the oldest kept, so not pruned) is forgotten.
  local first = earlier and redis.call('XRANGE', KEYS[1], '-', '+', 'COUNT', 1)[1]
  if first and cmp_ids(earlier, first[1]) >= 0 then
    keep_alive(ttl)
    return {earlier, epoch, 1}
  end
end
local trimmed = false
if exists then
  local len = redis.call('XLEN', KEYS[1])
  if len >= limit then
    local gone = redis.call('XRANGE', KEYS[1], '-', '+', 'COUNT', len - limit + 1)
    redis.call('HSET', KEYS[2], 'trimmed', gone[#gone][1])
    trimmed = true
  end
end
local now = redis.call('TIME')
local ms = string.format('%.0f', tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000))
local id = redis.call('XADD', KEYS[1], 'MAXLEN', limit, '*', 'e', ARGV[4], 'd', ARGV[5], 't', ms)
if not exists then redis.call('HSET', KEYS[2], 'stream', '1') end
if ARGV[6] == '1' then
  redis.call('HSET', KEYS[3], ARGV[7], id)
  redis.call('ZADD', KEYS[4], string.match(id, '^%d+'), ARGV[7])
end
if trimmed and redis.call('EXISTS', KEYS[4]) == 1 then
  local head = redis.call('XRANGE', KEYS[1], '-', '+', 'COUNT', 1)[1][1]
  -- Bounded per call; each publish adds at most one key, so pruning keeps up.
  local stale = redis.call('ZRANGEBYSCORE', KEYS[4], '-inf', '(' .. string.match(head, '^%d+'), 'LIMIT', 0, 256)
  if #stale > 0 then
    redis.call('HDEL', KEYS[3], unpack(stale))
    redis.call('ZREM', KEYS[4], unpack(stale))
  end
end
keep_alive(ttl)
-- Header lines first, data last: the data may hold newlines, the type never does.
redis.call('${fanOut}', ARGV[1], id .. '.' .. epoch .. '\n' .. ARGV[4] .. '\n' .. ms .. '\n' .. ARGV[5])
return {id, epoch, 0}
`;

export const PUBLISH_LUA = publishLua('PUBLISH');

/**
 * ARGV: candidate epoch, after ('' none, else an entry id), after's
 * epoch, limit, channel TTL in ms ('0' never). Answers {epoch, head id or '', reset or '',
 * entries}; without `after` the entries are newest first. A read is a use: it restarts the
 * TTL of the channel's keys (and the meta key it may have just made gets one at all).
 */
export const HISTORY_LUA =
  HELPERS +
  String.raw`
local epoch, exists = channel_epoch(ARGV[1])
keep_alive(tonumber(ARGV[5]))
local limit = tonumber(ARGV[4])
local head, last, deleted = '', '0-0', '0-0'
if exists then
  local info = redis.call('XINFO', 'STREAM', KEYS[1])
  for i = 1, #info, 2 do
    local field, value = info[i], info[i + 1]
    if field == 'last-generated-id' then last = value
    elseif field == 'max-deleted-entry-id' then deleted = value
    elseif field == 'last-entry' and value then head = value[1] end
  end
  local trimmed = redis.call('HGET', KEYS[2], 'trimmed')
  if trimmed and cmp_ids(trimmed, deleted) > 0 then deleted = trimmed end
end
local after = ARGV[2]
if after ~= '' then
  if ARGV[3] ~= epoch or cmp_ids(after, last) > 0 then return {epoch, head, 'unknown', {}} end
  if cmp_ids(after, deleted) < 0 then return {epoch, head, 'trimmed', {}} end
  if limit == 0 or head == '' then return {epoch, head, '', {}} end
  return {epoch, head, '', redis.call('XRANGE', KEYS[1], '(' .. after, '+', 'COUNT', limit)}
end
if limit == 0 or head == '' then return {epoch, head, '', {}} end
return {epoch, head, '', redis.call('XREVRANGE', KEYS[1], '+', '-', 'COUNT', limit)}
`;

/**
 * ARGV: channel TTL in ms (positive). Restarts the TTL of the channel's keys that exist, and
 * makes none: the keep-alive of channels with subscribers, and the last subscriber's leaving.
 */
export const TOUCH_LUA =
  KEEP_ALIVE +
  String.raw`
keep_alive(tonumber(ARGV[1]))
return 0
`;

type Arg = string | number;

/** The scripts, bound to one connection (EVALSHA, falling back to EVAL after a restart). */
export interface RedisScripts {
  /** `sharded`: fan out with SPUBLISH instead of PUBLISH. */
  publish(keys: RedisChannelKeys, args: readonly Arg[], sharded: boolean): Promise<unknown>;
  history(keys: RedisChannelKeys, args: readonly Arg[]): Promise<unknown>;
  /** Restarts the channel's expiry (`ttlMs` positive). */
  touch(keys: RedisChannelKeys, ttlMs: number): Promise<unknown>;
}

export function defineScripts(redis: Redis | Cluster): RedisScripts {
  redis.defineCommand('ssePublish', { numberOfKeys: 4, lua: PUBLISH_LUA });
  redis.defineCommand('sseShardPublish', { numberOfKeys: 4, lua: publishLua('SPUBLISH') });
  redis.defineCommand('sseHistory', { numberOfKeys: 4, lua: HISTORY_LUA });
  redis.defineCommand('sseTouch', { numberOfKeys: 4, lua: TOUCH_LUA });
  const commands = redis as unknown as Record<'ssePublish' | 'sseShardPublish' | 'sseHistory' | 'sseTouch', (...args: Arg[]) => Promise<unknown>>;
  const slot = (k: RedisChannelKeys) => [k.stream, k.meta, k.idem, k.idemq];
  return {
    publish: (keys, args, sharded) =>
      sharded ? commands.sseShardPublish(...slot(keys), ...args) : commands.ssePublish(...slot(keys), ...args),
    history: (keys, args) => commands.sseHistory(...slot(keys), ...args),
    touch: (keys, ttlMs) => commands.sseTouch(...slot(keys), ttlMs),
  };
}

/** A position Redis answered: it wrote the entry id itself, so anything else is a broken reply. */
function positionOf(entryId: string, epoch: string): StreamPosition {
  const position = StreamPosition.fromEntryId(entryId, epoch);
  if (!position) throw new Error(`Redis answered ${JSON.stringify(entryId)} where an entry id belongs`);
  return position;
}

export function parsePublishReply(reply: unknown): PublishResult {
  const [id, epoch, duplicate] = reply as [string, string, number];
  return { position: positionOf(id, epoch), duplicate: duplicate === 1 };
}

export function parseHistoryReply(reply: unknown, newestFirst: boolean): HistoryPage {
  const [epoch, head, reset, entries] = reply as [string, string, string, [string, string[]][]];
  const events = entries.map(([id, fields]) => toEvent(positionOf(id, epoch), fields));
  if (newestFirst) events.reverse();
  const page = { events, head: head === '' ? StreamPosition.start(epoch) : positionOf(head, epoch) };
  return reset === '' ? page : { ...page, reset: reset as ResetReason };
}

/** Decodes a live message (`<entry id>.<epoch>\n<type>\n<ms>\n<data>`); `null` if malformed. */
export function decodeLiveMessage(message: string): BrokerEvent | null {
  const a = message.indexOf('\n');
  const b = a < 0 ? -1 : message.indexOf('\n', a + 1);
  const c = b < 0 ? -1 : message.indexOf('\n', b + 1);
  if (c < 0) return null;
  const position = StreamPosition.parse(message.slice(0, a));
  if (!position) return null;
  const type = message.slice(a + 1, b);
  return { position, event: type || undefined, data: message.slice(c + 1), time: Number(message.slice(b + 1, c)) };
}

function toEvent(position: StreamPosition, fields: string[]): BrokerEvent {
  let event: string | undefined;
  let data = '';
  let time = 0;
  for (let i = 0; i + 1 < fields.length; i += 2) {
    const value = fields[i + 1]!;
    if (fields[i] === 'e') event = value || undefined;
    else if (fields[i] === 'd') data = value;
    else if (fields[i] === 't') time = Number(value);
  }
  return { position, event, data, time };
}
