// Every text the module shows a client or an operator, in one place.

export const MISSING_FOR_ROOT =
  'SseModule.forFeature() needs SseModule.forRoot() (or forRootAsync()) imported once in the application.';

export const invalidChannelName = (name: string) =>
  `channel name ${JSON.stringify(truncate(name))} is invalid: use 1-128 characters of A-Z a-z 0-9 . _ : -`;

export const invalidEventType = (type: string) =>
  `event type ${JSON.stringify(truncate(type))} is invalid: use 1-64 characters of A-Z a-z 0-9 . _ : -`;

export const reservedEventType = (type: string) =>
  `event type ${JSON.stringify(type)} is reserved for events the gateway sends itself`;

export const invalidIdempotencyKey =
  'Idempotency-Key must be 1-200 visible ASCII characters';

export const brokerUnavailable = (detail: string) =>
  `the event could not be confirmed as stored (${detail}); retry with the same Idempotency-Key`;

export const brokerTimeout = (ms: number) => `no answer from the broker within ${ms} ms`;

export const tooManyChannels = (max: number) => `a stream may carry at most ${max} channels`;

export const unserializableData = (reason: string) => `data cannot be serialized as JSON: ${reason}`;

function truncate(text: string): string {
  return text.length > 140 ? `${text.slice(0, 140)}…` : text;
}

export const dataRequired = '"data" is required: any JSON value';

export const eventTooLarge = (bytes: number, max: number) =>
  `the event is ${bytes} bytes; at most ${max} are accepted`;

export const draining = 'this instance is shutting down; reconnect to another one';

export const connectionLimit = (max: number) =>
  `this instance holds its maximum of ${max} streams; reconnect later or to another instance`;

// Redis broker: request failures (shown to clients, so no addresses or Redis internals)
// and connection status (for operators).

export const redisUnreachable = 'Redis is unreachable';

export const redisRefused = 'Redis refused the operation';

export const brokerClosed = 'the broker is shut down';

export const redisConnected = (role: string) => `Redis ${role} connection ready`;

export const redisLost = (role: string, reason: string) =>
  `Redis ${role} connection lost (${reason}); reconnecting`;

export const redisReconnected = (role: string) => `Redis ${role} connection back`;

export const redisNotReadyAtStart = (ms: number, reason: string) =>
  `Redis not ready after ${ms} ms (${reason}); starting anyway, publishes fail until it answers`;

export const redisResyncFailed = (reason: string) =>
  `re-subscribing after a Redis reconnect failed (${reason}); reconnecting again`;

export const channelKeepaliveFailed = (reason: string) =>
  `keeping subscribed channels from expiring failed (${reason}); trying again in a third of the channel TTL`;

export const redisUnresponsive = (role: string, reason: string) =>
  `Redis ${role} connection does not answer PING (${reason}); reconnecting`;

export const redisBadLiveMessage = (channel: string) =>
  `ignored a malformed live message on ${channel}`;

export const invalidRedisClusterUrl = (reason: string) =>
  `a Redis Cluster URL is redis+cluster://[user:password@]host:port,host:port,... or rediss+cluster://…: ${reason}`;

export const invalidRedisClusterNode = (node: string) =>
  `${JSON.stringify(truncate(node))} is not host:port (port 1-65535; IPv6 in brackets)`;

export const invalidRedisSentinelUrl = (reason: string) =>
  `a Redis Sentinel URL is redis+sentinel://[user:password@]host:port,host:port,.../<master-name> or rediss+sentinel://…: ${reason}`;

// Highly available Redis: TLS, Sentinel and replica acknowledgements.

export const replicasNotReached = (acked: number, wanted: number, ms: number) =>
  `Redis stored the event but only ${acked} of the ${wanted} replica(s) required confirmed it within ${ms} ms, so a failover could lose it; it may still be delivered`;

export const replicaAckInterrupted =
  'the connection to Redis was lost before replicas confirmed the event, so a failover could lose it; it may still be delivered';

export const redisTlsRefused = (role: string, reason: string) =>
  `Redis ${role} connection: TLS handshake failed (${reason}); check the CA, client certificate and server name settings`;

export const minReplicasAckOnCluster =
  'is not supported on a Redis Cluster: WAIT must run on the connection that wrote the event, and ioredis shares its one connection per node with every other command to that node; use a single server or Sentinel (redis+sentinel://) with replicas, or leave it at 0';
