/**
 * Base class of every error the module throws on purpose. `status` is the HTTP status a
 * controller should answer with, `headers` any header that goes with it
 * (`WWW-Authenticate`, `Retry-After`); the message is safe to show the client.
 */
export abstract class SseError extends Error {
  abstract readonly status: number;
  readonly headers?: Readonly<Record<string, string>>;

  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}
