import { DestroyRef, InjectionToken, NgZone, inject, type Provider, type Signal } from '@angular/core';
import { toSignal } from '@angular/core/rxjs-interop';
import { Observable } from 'rxjs';
import type { ChannelEvent, ConnectionState, EventMap } from '../client.types.js';
import { SseClient, type ClientChannel, type SseClientOptions } from '../sse-client.js';

/** Options of the app's one `SseClient` (`provideSse({ baseUrl })`). */
export const SSE_CLIENT_OPTIONS = new InjectionToken<SseClientOptions>('SSE_CLIENT_OPTIONS');

/** The app's `SseClient`: one per injector that provides it, closed with that injector. */
export const SSE_CLIENT = new InjectionToken<SseClient>('SSE_CLIENT');

/**
 * The client for Angular: every Observable it returns delivers inside the Angular zone, so
 * change detection sees what arrives, and ends its stream when unsubscribed (the `async`
 * pipe and `takeUntilDestroyed` do that for you). Plain class, no decorator: it is provided
 * by `provideSse()` and works in apps compiled ahead of time without a partial compilation
 * step.
 */
export class SseService {
  private readonly client = inject(SSE_CLIENT);
  private readonly zone = inject(NgZone);

  /** Every event of a channel (several names: one connection), typed by the event map. */
  events<M extends EventMap = EventMap>(channels: string | readonly string[]): Observable<ChannelEvent<M>> {
    return this.inZone(this.client.channel<M>(channels).events$);
  }

  /** Only the events of one type. */
  on<M extends EventMap, K extends keyof M & string>(channels: string | readonly string[], event: K): Observable<Extract<ChannelEvent<M>, { event: K }>> {
    return this.inZone(this.client.channel<M>(channels).on(event));
  }

  /** The connection's state: connecting, open, reconnecting, closed or unauthorized, with its instance. */
  state(channels: string | readonly string[]): Observable<ConnectionState> {
    return this.inZone(this.client.channel(channels).state$);
  }

  /** A channel that streams on from a snapshot just loaded (`POST /sync`). */
  async sync<M extends EventMap = EventMap>(channels: string | readonly string[]): Promise<ClientChannel<M>> {
    return this.client.sync<M>(channels);
  }

  /** Runs a channel's Observable in the zone (for a `ClientChannel` from `sync`). */
  inZone<T>(source: Observable<T>): Observable<T> {
    return new Observable<T>((subscriber) =>
      // Subscribed outside: the stream's own timers and reads must not keep the app unstable.
      this.zone.runOutsideAngular(() =>
        source.subscribe({
          next: (value) => this.zone.run(() => subscriber.next(value)),
          error: (error: unknown) => this.zone.run(() => subscriber.error(error)),
          complete: () => this.zone.run(() => subscriber.complete()),
        }),
      ),
    );
  }

  /**
   * The latest event of a channel as a signal (`undefined` until the first); call it in an
   * injection context (a component's field); it unsubscribes when that context is destroyed.
   */
  latest<M extends EventMap = EventMap>(channels: string | readonly string[]): Signal<ChannelEvent<M> | undefined> {
    return toSignal(this.events<M>(channels));
  }
}

/** `providers: [provideSse({ baseUrl: '/' })]` in the app config (or a lazy route). */
export function provideSse(options: SseClientOptions = {}): Provider[] {
  return [
    { provide: SSE_CLIENT_OPTIONS, useValue: options },
    {
      provide: SSE_CLIENT,
      useFactory: () => {
        const client = new SseClient(inject(SSE_CLIENT_OPTIONS));
        inject(DestroyRef).onDestroy(() => client.close());
        return client;
      },
    },
    { provide: SseService, useFactory: () => new SseService() },
  ];
}
