import { Module, type DynamicModule } from '@nestjs/common';
import { SseModule } from 'nest-sse-gateway';
import { ApiKeyAuthorizer } from './auth/api-key.authorizer';
import type { OrdersConfig } from './orders.config';
import { OrdersModule } from './orders/orders.module';

@Module({})
export class AppModule {
  static forRoot(config: OrdersConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        // The module once, with the HTTP API (streams, history, publish, sync) under /sse for
        // the other services, guarded by this service's own authorizer.
        SseModule.forRoot({ ...config.sse, http: { prefix: 'sse', authorizer: new ApiKeyAuthorizer(config.apiKey) } }),
        OrdersModule,
      ],
    };
  }
}
