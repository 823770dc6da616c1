/**
 * The SharedWorker that holds every stream of an origin for all its tabs (served as
 * `shared-worker.js` beside the client). It has no dependency, so browsers load it as a
 * module straight from `dist/client` or from the gateway's `/assets`.
 */
import type { HubMessage } from './client.types.js';
import { StreamHub } from './hub/stream-hub.js';
import { TokenRequests } from './transport/token-requests.js';
import type { TabToWorker, WorkerToTab } from './transport/worker-protocol.js';

interface Port {
  onmessage: ((event: { data: TabToWorker }) => void) | null;
  postMessage(message: WorkerToTab): void;
  start(): void;
}
interface WorkerScope {
  onconnect: ((event: { ports: readonly Port[] }) => void) | null;
  navigator?: { locks?: { request(name: string, callback: () => void): Promise<unknown> } };
}

const scope = globalThis as unknown as WorkerScope;
let hub: StreamHub | undefined;

scope.onconnect = (connect) => {
  const port = connect.ports[0]!;
  const subscriptions = new Map<number, () => void>();
  // The worker holds no token and cannot call the tab's getToken (functions do not cross
  // postMessage): when a stream of this tab's needs one, it asks the tab by message.
  const tokens = new TokenRequests();
  const askTab = () => tokens.ask((req) => port.postMessage({ op: 'token', req }));
  const dropAll = () => {
    for (const unsubscribe of subscriptions.values()) unsubscribe();
    subscriptions.clear();
    tokens.abandon();
  };
  port.onmessage = ({ data }) => {
    switch (data.op) {
      case 'hello':
        hub ??= new StreamHub({ backoff: data.backoff, lingerMs: data.lingerMs });
        if (data.lock) void scope.navigator?.locks?.request(data.lock, dropAll);
        break;
      case 'subscribe': {
        hub ??= new StreamHub();
        const sub = data.sub;
        const listener = (message: HubMessage) => port.postMessage({ op: 'message', sub, message });
        subscriptions.set(sub, hub.subscribe(data.spec, listener, data.spec.auth?.bearer ? askTab : undefined));
        break;
      }
      case 'unsubscribe':
        subscriptions.get(data.sub)?.();
        subscriptions.delete(data.sub);
        break;
      case 'token':
        tokens.settle(data.req, data.answer);
        break;
      case 'bye':
        dropAll();
        break;
    }
  };
  port.start();
};
