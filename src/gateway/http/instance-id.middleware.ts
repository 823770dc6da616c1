import type { NextFunction, Request, Response } from 'express';

/** Every answer names the instance that gave it (`X-Instance-Id`): which one a client is on. */
export function instanceIdMiddleware(instanceId: string) {
  return (_request: Request, response: Response, next: NextFunction): void => {
    response.setHeader('X-Instance-Id', instanceId);
    next();
  };
}
