import { Body, Controller, Post, Sse, type MessageEvent } from '@nestjs/common';
import { Channel, InjectChannel, LastEventId } from 'nest-sse-gateway';
import type { Observable } from 'rxjs';
import { parseCreateOrder } from './create-order.dto';
import type { OrderEvents } from './order.interface';
import { OrdersService } from './orders.service';

@Controller('orders')
export class OrdersController {
  constructor(
    private readonly service: OrdersService,
    @InjectChannel('orders') private readonly orders: Channel<OrderEvents>,
  ) {}

  /** `POST /orders` `{ item, quantity }`: `201 { order, eventId }`. */
  @Post()
  create(@Body() body: unknown) {
    return this.service.create(parseCreateOrder(body));
  }

  /**
   * `GET /orders/stream`: this service's own event stream. With `Last-Event-ID` (which an
   * EventSource sends when it reconnects) it first replays what the client missed.
   */
  @Sse('stream')
  stream(@LastEventId() lastEventId?: string): Observable<MessageEvent> {
    return this.orders.stream({ lastEventId });
  }
}
