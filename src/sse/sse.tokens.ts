/** Injection token of the options with defaults filled in (`ResolvedSseOptions`). */
export const SSE_OPTIONS = Symbol('SSE_OPTIONS');

/** Injection token of the static `http` part of `forRoot` / `forRootAsync` (where the API is mounted). */
export const SSE_HTTP_MOUNT = Symbol('SSE_HTTP_MOUNT');
