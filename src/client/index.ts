// The browser client of the gateway: `import { SseClient } from 'nest-sse-gateway/client'`.
// Depends on rxjs only; the server's code never comes along (types only).

/** The client: channels, sync, publish. */
export { SseClient, ClientChannel, type SseClientOptions, type SyncPosition } from './sse-client.js';
/** Events, connection state and the event map shared with the server's `Channel<M>`. */
export type {
  EventMap,
  ChannelEvent,
  ConnectionState,
  ConnectionStatus,
  ResetData,
  WireEvent,
  StreamSpec,
  StreamTransport,
  HubMessage,
} from './client.types.js';
/** Reconnection waits. */
export { backoffDelay, type BackoffOptions } from './hub/backoff.util.js';
/** Streams held in this page only (what `shared: false` uses). */
export { LocalTransport } from './transport/local.transport.js';
