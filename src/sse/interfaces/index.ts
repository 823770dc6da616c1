export * from './sse-module-options.interface.js';
export * from './channel.interface.js';
