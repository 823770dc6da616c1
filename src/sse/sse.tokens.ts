/** Injection token of the options with defaults filled in (`ResolvedSseOptions`). */
export const SSE_OPTIONS = Symbol('SSE_OPTIONS');
