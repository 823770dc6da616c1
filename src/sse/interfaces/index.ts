export * from './sse-module-options.interface.js';
export * from './channel.interface.js';
export * from './sse-http-options.interface.js';
export * from './sse-metrics-options.interface.js';
