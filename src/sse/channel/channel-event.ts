import type { BrokerEvent, ResetReason } from '../broker/broker.interface.js';
import type { StreamPosition } from '../position/stream-position.js';
import { encodeEvent } from '../wire/event-stream.encoder.js';

/**
 * One event of one channel as this instance's subscribers see it. Its bytes on the wire
 * are built on first use and then shared by every subscriber: once per instance.
 */
export class ChannelEvent {
  private frameBytes?: Buffer;
  private envelopeBytes?: Buffer;
  private envelopeText?: string;

  constructor(
    readonly channel: string,
    private readonly source: BrokerEvent,
  ) {}

  get position(): StreamPosition {
    return this.source.position;
  }

  /** The event's `id:`, its position's text. */
  get id(): string {
    return this.source.position.toString();
  }

  /** Published type; `undefined` for the default `message`. */
  get event(): string | undefined {
    return this.source.event;
  }

  /** Payload as JSON text. */
  get data(): string {
    return this.source.data;
  }

  /** When the broker stored it, ms since the Unix epoch. */
  get time(): number {
    return this.source.time;
  }

  /** The complete frame of a single-channel stream: `id:`, `event:`, `data:`. */
  frame(): Buffer {
    return (this.frameBytes ??= encodeEvent({ id: this.id, event: this.event, data: this.data }));
  }

  /** `{"channel": ..., "data": ...}`, the data of this event on a several-channel stream. */
  envelope(): string {
    return (this.envelopeText ??= envelopeOf(this.channel, this.data));
  }

  /** The frame of a several-channel stream without its `id:` line (ids differ per subscriber). */
  envelopeBody(): Buffer {
    return (this.envelopeBytes ??= encodeEvent({ event: this.event, data: this.envelope() }));
  }
}

/** Wraps JSON text without parsing it again. */
export function envelopeOf(channel: string, dataJson: string): string {
  return `{"channel":${JSON.stringify(channel)},"data":${dataJson}}`;
}

/** What a channel's stream carries to one subscriber. */
export type StreamItem =
  | { readonly kind: 'event'; readonly event: ChannelEvent }
  | {
      /**
       * First on every stream: where it starts. `position` is set when the client had none
       * (the channel's head: the client's last event ID moves there) and undefined when
       * the client's own position stands.
       */
      readonly kind: 'start';
      readonly channel: string;
      readonly position: StreamPosition | undefined;
    }
  | {
      /** The client's position cannot be resumed from; the stream goes on after `position`. */
      readonly kind: 'reset';
      readonly channel: string;
      readonly reason: ResetReason;
      readonly position: StreamPosition;
    };

/** The event type and JSON data of a reset notice (see DESIGN.md, "Reset"). */
export const RESET_EVENT = 'reset';

export function resetData(reason: ResetReason, position: StreamPosition): string {
  return JSON.stringify({ reason, head: position.toString() });
}
