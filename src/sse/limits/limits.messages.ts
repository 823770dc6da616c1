// Every text of the abuse limits, in one place.

export const publishRateExceeded = (limit: number, windowMs: number) =>
  `more than ${limit} publishes in ${windowMs / 1000} s: slow down (see Retry-After)`;

export const tooManyStreams = (max: number) =>
  `this address already holds ${max} streams, the most allowed; close one first`;

export const rateStoreDown = (reason: string) =>
  `the rate limit counters in Redis do not answer (${reason}); publishing is not rate limited until they do`;
