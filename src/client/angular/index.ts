// Angular bindings: `import { provideSse, SseService } from 'nest-sse-gateway/client/angular'`.

/** The injectable client: zone-aware Observables, a signal helper, and its providers. */
export { SseService, provideSse, SSE_CLIENT, SSE_CLIENT_OPTIONS } from './sse.service.js';
