// Every text the browser client shows in a state's `error` or an error it throws, in one place.

export const httpStatus = (status: number, detail?: string) => (detail ? `HTTP ${status}: ${detail}` : `HTTP ${status}`);

export const STREAM_ENDED = 'stream ended';

export const TOKEN_EXPIRED = 'token expired';

export const tokenUnavailable = (reason: string) => `no token: ${reason}`;

export const NO_TOKEN_SOURCE = 'no subscriber of this stream can give a token';

export const EMPTY_TOKEN = 'getToken gave an empty token';

export const NO_GET_TOKEN = 'this client has no getToken option';

export const TOKEN_NOT_ANSWERED = 'the tab asked for a token did not answer in time';

export const TAB_GONE = 'the tab asked for a token is gone';

export const BASE_URL_REQUIRED = 'SseClient: baseUrl is required outside a browser page';

export const CHANNEL_REQUIRED = 'SseClient: at least one channel';

export const syncFailed = (status: number, detail: string) => `POST /sync answered ${status}${detail ? `: ${detail}` : ''}`;

export const publishFailed = (status: number, detail: string) => `publish answered ${status}${detail ? `: ${detail}` : ''}`;
