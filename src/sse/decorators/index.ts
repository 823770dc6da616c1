export * from './inject-channel.decorator.js';
export * from './last-event-id.decorator.js';
