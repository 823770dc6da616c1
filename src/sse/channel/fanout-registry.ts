import type { Broker } from '../broker/broker.interface.js';
import { ChannelFanout, type ChannelFanoutOptions } from './channel-fanout.js';

/** This instance's fan-outs, one per channel that has local subscribers right now. */
export class FanoutRegistry {
  private readonly fanouts = new Map<string, ChannelFanout>();

  constructor(
    private readonly broker: Broker,
    private readonly options: ChannelFanoutOptions,
  ) {}

  get(channel: string): ChannelFanout {
    let fanout = this.fanouts.get(channel);
    if (!fanout) {
      fanout = new ChannelFanout(channel, this.broker, this.options, (idle) => {
        if (this.fanouts.get(idle.channel) === idle) this.fanouts.delete(idle.channel);
      });
      this.fanouts.set(channel, fanout);
    }
    return fanout;
  }

  /** Channels with local subscribers, and how many each. */
  counts(): Map<string, number> {
    return new Map([...this.fanouts].map(([name, fanout]) => [name, fanout.size]));
  }
}
