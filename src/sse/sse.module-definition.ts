import { ConfigurableModuleBuilder } from '@nestjs/common';
import type { SseModuleOptions } from './interfaces/sse-module-options.interface.js';

/** `forRoot` / `forRootAsync` come from Nest's builder; the module is global by default. */
export const { ConfigurableModuleClass, MODULE_OPTIONS_TOKEN, OPTIONS_TYPE, ASYNC_OPTIONS_TYPE } =
  new ConfigurableModuleBuilder<SseModuleOptions>({ moduleName: 'Sse' })
    .setClassMethodName('forRoot')
    .setExtras({ isGlobal: true }, (definition, extras) => ({ ...definition, global: extras.isGlobal }))
    .build();
