// Text of the lines the gateway process logs when something fails (README: Logs).

export const startFailed = 'the gateway could not start';
export const shutdownFailed = 'shutdown failed';
export const uncaughtException = 'uncaught exception: the process ends';
export const unhandledRejection = 'unhandled promise rejection: the process ends';
export const nonErrorThrown = (description: string) => `(a non-Error value was thrown: ${description})`;
export const errorAfterAnswerStarted = 'error after the answer started';
export const unhandledRequestError = 'unhandled error, answered 500';
