export * from './sse.error.js';
export * from './invalid-input.error.js';
export * from './broker-unavailable.error.js';
export * from './payload-too-large.error.js';
export * from './unavailable.error.js';
export * from './invalid-options.error.js';
