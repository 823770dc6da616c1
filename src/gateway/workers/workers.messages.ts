// Text of the lines the primary of a worker pool logs (README: Every core).

/** The pool's one ready line: it carries `listening on` and the port, as a single gateway's does. */
export const poolListening = (instanceId: string, where: string, workers: readonly string[], setup: string) =>
  `instance ${instanceId} listening on ${where} (${workers.length} workers: ${workers.join(', ')}; ${setup})`;
export const workerStarted = (worker: number, instanceId: string, pid: number | undefined) =>
  `worker ${worker} started: instance ${instanceId}, pid ${pid}`;
export const workerReplaced = (worker: number, instanceId: string, pid: number | undefined) =>
  `worker ${worker} is back: instance ${instanceId}, pid ${pid}`;
export const workerDied = (worker: number, instanceId: string, pid: number | undefined, how: string, delayMs: number, deaths: number) =>
  `worker ${worker} (instance ${instanceId}, pid ${pid}) exited unexpectedly (${how}); ` +
  `starting a new one in ${(delayMs / 1000).toFixed(1)} s (${deaths === 1 ? 'first exit' : `${deaths} quick exits in a row`})`;
export const workerFailedToStart = (worker: number, how: string) =>
  `worker ${worker} exited (${how}) before it listened: the gateway could not start`;
export const poolStopping = (signal: string, workers: number) => `${signal}: draining ${workers} workers and stopping`;
export const poolStopTimedOut = (workers: number) => `${workers} workers did not exit in time: killed`;
