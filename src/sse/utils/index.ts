export * from './names.util.js';
export * from './channel-token.util.js';
export * from './channel-pattern.util.js';
export * from './error-message.util.js';
