import { ConfigurableModuleBuilder, type DynamicModule } from '@nestjs/common';
import { RouterModule } from '@nestjs/core';
import { SseHttpModule } from './http/sse-http.module.js';
import type { SseHttpOptions } from './interfaces/sse-http-options.interface.js';
import type { SseModuleOptions } from './interfaces/sse-module-options.interface.js';
import { SSE_HTTP_MOUNT } from './sse.tokens.js';
import { SseTransportModule } from './transport/sse-transport.module.js';
import { SSE_TRANSPORT } from './transport/transport.constants.js';

/** Settings of the module definition itself, known before any options factory runs. */
export interface SseModuleExtras {
  /** Global by default, so `forFeature()` and the HTTP API reach the hub from anywhere. */
  isGlobal: boolean;
  /** Mounts the HTTP API (see `SseModuleOptions.http`); with `forRootAsync`, at least `{ prefix }`. */
  http: SseHttpOptions | undefined;
  /** Mounts the `sse.publish` consumer (see `SseModuleOptions.transport`); with `forRootAsync`, here. */
  transport: boolean;
}

/** `forRoot` / `forRootAsync` come from Nest's builder; `http` decides which routes exist. */
export const { ConfigurableModuleClass, MODULE_OPTIONS_TOKEN, OPTIONS_TYPE, ASYNC_OPTIONS_TYPE } =
  new ConfigurableModuleBuilder<SseModuleOptions>({ moduleName: 'Sse' })
    .setClassMethodName('forRoot')
    .setExtras<SseModuleExtras>({ isGlobal: true, http: undefined, transport: false }, (definition, extras) => withTransport(withHttp(definition, extras), extras.transport))
    .build();

function withHttp(definition: DynamicModule, extras: SseModuleExtras): DynamicModule {
  const module = { ...definition, global: extras.isGlobal };
  if (!extras.http) return module;
  const prefix = (extras.http.prefix ?? '').replace(/^\/+|\/+$/g, '');
  return {
    ...module,
    imports: [...(module.imports ?? []), SseHttpModule, ...(prefix ? [RouterModule.register([{ path: prefix, module: SseHttpModule }])] : [])],
    providers: [...(module.providers ?? []), { provide: SSE_HTTP_MOUNT, useValue: extras.http }],
  };
}

// Whether it is mounted is always provided: `connectSseTransport` asks without risking a throw
// inside `app.get()`, which a default Nest app answers by exiting the process.
function withTransport(definition: DynamicModule, transport: boolean): DynamicModule {
  const flag = { provide: SSE_TRANSPORT, useValue: transport };
  return {
    ...definition,
    imports: [...(definition.imports ?? []), ...(transport ? [SseTransportModule] : [])],
    providers: [...(definition.providers ?? []), flag],
    exports: [...(definition.exports ?? []), SSE_TRANSPORT, ...(transport ? [SseTransportModule] : [])],
  };
}
