import { STATUS_CODES, type ServerResponse } from 'node:http';

/** The JSON body of every error answer: `{ statusCode, error, message }`. */
export interface ErrorBody {
  readonly statusCode: number;
  readonly error: string;
  readonly message: string;
}

export function errorBody(statusCode: number, message: string): ErrorBody {
  return { statusCode, error: STATUS_CODES[statusCode] ?? 'Error', message };
}

/** Answers `status` with the JSON error body (on a plain Node response, so it works before Express has decorated it). */
export function sendError(response: ServerResponse, status: number, message: string): void {
  const body = JSON.stringify(errorBody(status, message));
  response.statusCode = status;
  response.setHeader('Content-Type', 'application/json; charset=utf-8');
  response.setHeader('Content-Length', Buffer.byteLength(body));
  response.end(body);
}
