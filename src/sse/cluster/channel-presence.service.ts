import { Inject, Injectable } from '@nestjs/common';
import { assertChannelName } from '../utils/names.util.js';
import { ClusterPresence } from './presence.interface.js';
import { Rebalancer } from './rebalancer.service.js';

/** Subscribers of one channel across the cluster (`GET /channels/:channel/presence`). */
export interface ChannelPresence {
  readonly channel: string;
  /** Every instance's subscribers added up. */
  readonly total: number;
  /** The instances holding at least one subscriber of the channel, by id. */
  readonly instances: readonly { readonly id: string; readonly subscribers: number }[];
}

/**
 * Reads a channel's subscribers from what the instances report with their presence (every
 * presence interval, `presenceIntervalMs`), this instance included: the figures are about one
 * interval old (more on an instance with a great many channels: it counts them less often,
 * see `Rebalancer`), and asking costs one small read per live instance, however many channels
 * they hold. A subscriber is one stream of this channel (a stream of several channels counts
 * once in each).
 */
@Injectable()
export class ChannelPresenceService {
  constructor(
    @Inject(ClusterPresence) private readonly presence: ClusterPresence,
    private readonly rebalancer: Rebalancer,
  ) {}

  /** Throws `InvalidInputError` for a channel name outside the allowed pattern. */
  async of(channel: string): Promise<ChannelPresence> {
    assertChannelName(channel);
    // The live instances as of the last presence step: no extra round trip for the list.
    const ids = this.rebalancer.view().instances.map((i) => i.id);
    const instances = await this.presence.channelSubscribers(channel, ids);
    return { channel, total: instances.reduce((sum, i) => sum + i.subscribers, 0), instances };
  }
}
