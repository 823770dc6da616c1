import { randomUUID } from 'node:crypto';
import type { Serializer } from '@nestjs/microservices';
import { SSE_PUBLISH_PATTERN } from './transport.constants.js';

interface Packet {
  readonly pattern?: unknown;
  readonly data?: unknown;
}

const identity: Serializer = { serialize: (value: unknown) => value };

/**
 * The sender's half of exactly-once: set it as the `serializer` of the `ClientProxy` that
 * emits `sse.publish`, and every such message without an `idempotencyKey` gets a random
 * UUID as its key, so that exactly one gateway instance stores it. Other packets pass
 * through untouched, then through `inner` (for a serializer of your own).
 *
 * The key is made when the message is sent: emitting the same message object twice sends
 * two events. To make a retry of your own safe, set the key yourself and reuse it.
 */
export class SsePublishSerializer implements Serializer {
  constructor(
    private readonly inner: Serializer = identity,
    private readonly newKey: () => string = randomUUID,
  ) {}

  serialize(packet: unknown, options?: Record<string, unknown>): unknown {
    return this.inner.serialize(this.withKey(packet), options);
  }

  private withKey(packet: unknown): unknown {
    if (typeof packet !== 'object' || packet === null) return packet;
    const { pattern, data } = packet as Packet;
    if (pattern !== SSE_PUBLISH_PATTERN || typeof data !== 'object' || data === null || Array.isArray(data)) return packet;
    if ((data as { idempotencyKey?: unknown }).idempotencyKey !== undefined) return packet;
    return { ...packet, data: { ...data, idempotencyKey: this.newKey() } };
  }
}
