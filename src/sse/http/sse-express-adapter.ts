import type { NestApplicationOptions } from '@nestjs/common';
import { ExpressAdapter } from '@nestjs/platform-express';
import type { Express } from 'express';
import http, { IncomingMessage, ServerResponse } from 'node:http';
import https from 'node:https';

/**
 * Nest's Express adapter with one change: the HTTP server builds each request and response
 * with Express's prototypes (`app.request`, `app.response`) from the start, through Node's
 * `http.createServer({ IncomingMessage, ServerResponse })` options, so the
 * `Object.setPrototypeOf(req, app.request)` that Express 5 runs on every request
 * (`app.handle`) finds the prototype already in place and changes nothing.
 *
 * Why: with the prototype switched per request, V8 kept each request's objects alive through
 * young-generation collections. Measured with 200 keep-alive POSTs/s on one core (Node 20,
 * Express 5.3): about 18 KiB per request went to the old generation, each young-generation
 * collection paused the process for 7 to 28 ms instead of under 1 ms, and the old generation
 * grew until a full collection; with the prototypes in place from the start, none of that. In
 * `npm run bench`'s case p (64 publishes in flight) it took about 1.6 times as many publishes
 * per second, at 213 instead of 334-362 µs of CPU each.
 *
 * Use: `NestFactory.create(AppModule, new SseExpressAdapter())`, or `new SseExpressAdapter(app)`
 * around an Express app of your own, as with Nest's adapter; the ready gateway uses it.
 * `httpsOptions` is honoured; with `return503OnClosing` or `forceCloseConnections` the server
 * is Nest's own (the module drains streams itself on shutdown and needs neither).
 */
export class SseExpressAdapter extends ExpressAdapter {
  override initHttpServer(options: NestApplicationOptions): void {
    if (options.return503OnClosing || options.forceCloseConnections) return super.initHttpServer(options);
    const app = this.getInstance<Express>();
    const classes = { IncomingMessage: withPrototype(IncomingMessage, app.request), ServerResponse: withPrototype(ServerResponse, app.response) };
    this.httpServer = options.httpsOptions
      ? https.createServer({ ...options.httpsOptions, ...classes }, app)
      : http.createServer(classes, app);
  }
}

/**
 * A constructor Node's server can call with `new` that initialises the object as `base` does
 * (same arguments) and whose instances have `prototype` as their prototype. Node's
 * `IncomingMessage` and `ServerResponse` are plain constructor functions, so they can
 * initialise an object made elsewhere; a `class` could not set its instances' prototype to an
 * existing object.
 */
function withPrototype<T extends typeof IncomingMessage | typeof ServerResponse>(base: T, prototype: object): T {
  function Constructor(this: object, ...args: unknown[]): void {
    Reflect.apply(base, this, args);
  }
  Constructor.prototype = prototype;
  return Constructor as unknown as T;
}
