import type { GetToken, HubMessage, StreamSpec, StreamTransport } from '../client.types.js';
import { StreamHub, type StreamHubOptions } from '../hub/stream-hub.js';
import type { TokenProvider } from '../hub/token-providers.util.js';

export interface LocalTransportOptions extends StreamHubOptions {
  /** The page's token source, for streams whose spec says `auth.bearer`. */
  readonly getToken?: GetToken;
}

/** Streams held by this page (or this Node process): no sharing between tabs. */
export class LocalTransport implements StreamTransport {
  private readonly hub: StreamHub;
  /** One provider for every subscription of this page: a stream asks it once per sync. */
  private readonly tokens: TokenProvider | undefined;

  constructor(options: LocalTransportOptions = {}) {
    this.hub = new StreamHub(options);
    const getToken = options.getToken;
    this.tokens = getToken ? async () => getToken() : undefined;
  }

  subscribe(spec: StreamSpec, listener: (message: HubMessage) => void): () => void {
    return this.hub.subscribe(spec, listener, spec.auth?.bearer ? this.tokens : undefined);
  }

  close(): void {
    this.hub.close();
  }
}
