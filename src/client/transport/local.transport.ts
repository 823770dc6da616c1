import type { GetToken, HubMessage, StreamSpec, StreamTransport } from '../client.types.js';
import { StreamHub, type StreamHubOptions } from '../hub/stream-hub.js';

export interface LocalTransportOptions extends StreamHubOptions {
  /** The page's token source, for streams whose spec says `auth.bearer`. */
  readonly getToken?: GetToken;
}

/** Streams held by this page (or this Node process): no sharing between tabs. */
export class LocalTransport implements StreamTransport {
  private readonly hub: StreamHub;

  constructor(private readonly options: LocalTransportOptions = {}) {
    this.hub = new StreamHub(options);
  }

  subscribe(spec: StreamSpec, listener: (message: HubMessage) => void): () => void {
    const getToken = this.options.getToken;
    return this.hub.subscribe(spec, listener, getToken && spec.auth?.bearer ? async () => getToken() : undefined);
  }

  close(): void {
    this.hub.close();
  }
}
