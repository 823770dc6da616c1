/** An order as the service creates it and as its events carry it. */
export interface Order {
  readonly id: string;
  readonly item: string;
  readonly quantity: number;
  /** ISO 8601. */
  readonly createdAt: string;
}

/**
 * The `orders` channel's events, by type: one map types the publisher (`Channel<OrderEvents>`)
 * and, shared with the front end, the browser client (`client.channel<OrderEvents>('orders')`).
 */
export type OrderEvents = {
  'order.created': Order;
};
