// React bindings: `import { useChannel } from 'nest-sse-gateway/client/react'`.

/** Latest event, a bounded list and the connection state of a channel, for a component. */
export { useChannel, type UseChannelOptions, type ChannelView } from './use-channel.js';
