// Every text the stream writer shows an operator, in one place.

export const lateStream =
  'an @Sse() handler returned channel.stream() after Nest had sent its own head (did it await something first?): ' +
  "that stream is written by Nest's @Sse() writer, without the module's bounded buffers, drain and counting. " +
  'Return the stream without awaiting; do asynchronous work inside it, or before the route (a guard, a pipe).';

export const streamEnded = (channels: readonly string[], reason: string) => `ending a stream of ${channels.join(', ')}: ${reason}`;

export const streamNotStarted = (channels: readonly string[], reason: string) =>
  `could not start a stream of ${channels.join(', ')}: ${reason}`;
