/**
 * Headers of every stream: the content type, and nothing may cache, buffer or transform
 * it: `no-transform` is what compression middleware honours (RFC 9111 §5.2.2.6), and
 * `X-Accel-Buffering: no` turns nginx's proxy buffering off for the response.
 */
export const EVENT_STREAM_HEADERS = {
  'Content-Type': 'text/event-stream',
  'Cache-Control': 'no-cache, no-transform',
  'X-Accel-Buffering': 'no',
} as const;
