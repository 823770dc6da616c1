import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { Channel, InjectChannel } from 'nest-sse-gateway';
import type { CreateOrder } from './create-order.dto';
import type { Order, OrderEvents } from './order.interface';

@Injectable()
export class OrdersService {
  constructor(@InjectChannel('orders') private readonly orders: Channel<OrderEvents>) {}

  /**
   * Creates an order and tells every subscriber, on every instance. Resolves once the event
   * is stored, with its id: the position a client resumes from (`Last-Event-ID`).
   */
  async create(input: CreateOrder): Promise<{ order: Order; eventId: string }> {
    const order: Order = { id: randomUUID(), item: input.item, quantity: input.quantity, createdAt: new Date().toISOString() };
    const eventId = await this.orders.next({ event: 'order.created', data: order });
    return { order, eventId };
  }
}
