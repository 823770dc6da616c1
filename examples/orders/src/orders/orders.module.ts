import { Module } from '@nestjs/common';
import { SseModule } from 'nest-sse-gateway';
import { OrdersController } from './orders.controller';
import { OrdersService } from './orders.service';

@Module({
  imports: [SseModule.forFeature([{ name: 'orders' }])],
  controllers: [OrdersController],
  providers: [OrdersService],
})
export class OrdersModule {}
