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
  StreamAuth,
  StreamTransport,
  HubMessage,
  GetToken,
} from './client.types.js';
/** What `sync` and `publish` reject with, and why a stream could not get a token. */
export { HttpStatusError, TokenUnavailableError } from './errors/index.js';
/** Reconnection waits. */
export { backoffDelay, type BackoffOptions } from './hub/backoff.util.js';
/** Streams held in this page only (what `shared: false` uses). */
export { LocalTransport, type LocalTransportOptions } from './transport/local.transport.js';
