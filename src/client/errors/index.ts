export { HttpStatusError } from './http-status.error.js';
export { TokenUnavailableError } from './token-unavailable.error.js';
