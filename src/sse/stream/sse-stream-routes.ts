import { Injectable } from '@nestjs/common';
import { INTERCEPTORS_METADATA, SSE_METADATA } from '@nestjs/common/constants.js';
import { DiscoveryService, MetadataScanner } from '@nestjs/core';
import { SseStreamInterceptor } from './sse-stream.interceptor.js';

/**
 * Puts the `SseStreamInterceptor` on every `@Sse()` route of the application (the module's
 * and the host application's own), and on no other route.
 *
 * Why not a global interceptor (`APP_INTERCEPTOR`): with any interceptor at all, Nest runs
 * every request of every route through its RxJS interceptor chain; measured on a publish
 * (`POST`, 64 in flight), that alone was about 100 µs of server CPU per request, an eighth
 * of it. A method-level interceptor costs only the routes it is on.
 *
 * Runs when Nest creates the providers (`NestFactory.create`), after every module's
 * controllers are known and before `init()` builds the routes' interceptor lists (Nest 12,
 * `NestApplication.init`: `registerRouter()` comes before any `onModuleInit`). The
 * interceptor is innermost, next to the handler, so it sees the stream Observable as the
 * handler returned it. A route is marked once per process: several applications built from
 * the same controller classes (tests) share the first interceptor, which holds no state of
 * any one application.
 */
@Injectable()
export class SseStreamRoutes {
  constructor(discovery: DiscoveryService, scanner: MetadataScanner, interceptor: SseStreamInterceptor) {
    for (const wrapper of discovery.getControllers()) {
      const prototype = (wrapper.metatype as { prototype?: Record<string, unknown> } | null)?.prototype;
      if (!prototype) continue;
      for (const name of scanner.getAllMethodNames(prototype)) {
        const handler = prototype[name];
        if (typeof handler !== 'function' || Reflect.getMetadata(SSE_METADATA, handler) !== true) continue;
        const interceptors: unknown[] = Reflect.getMetadata(INTERCEPTORS_METADATA, handler) ?? [];
        if (interceptors.some((existing) => existing instanceof SseStreamInterceptor)) continue;
        Reflect.defineMetadata(INTERCEPTORS_METADATA, [...interceptors, interceptor], handler);
      }
    }
  }
}
