import type { HubMessage, StreamSpec, StreamTransport } from '../client.types.js';
import { StreamHub, type StreamHubOptions } from '../hub/stream-hub.js';

/** Streams held by this page (or this Node process): no sharing between tabs. */
export class LocalTransport implements StreamTransport {
  private readonly hub: StreamHub;

  constructor(options: StreamHubOptions = {}) {
    this.hub = new StreamHub(options);
  }

  subscribe(spec: StreamSpec, listener: (message: HubMessage) => void): () => void {
    return this.hub.subscribe(spec, listener);
  }

  close(): void {
    this.hub.close();
  }
}
