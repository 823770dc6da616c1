export * from './names.util.js';
export * from './channel-token.util.js';
