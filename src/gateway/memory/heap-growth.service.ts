import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import type { GatewayConfig } from '../../config/gateway.config.js';
import { GATEWAY_CONFIG } from '../gateway.tokens.js';
import { limitHeapGrowth } from './heap-growth.js';

/** Applies `SSE_HEAP_GROWING_PERCENT` to this process once its modules are set up (see `limitHeapGrowth`). */
@Injectable()
export class HeapGrowthLimit implements OnModuleInit {
  constructor(@Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig) {}

  onModuleInit(): void {
    limitHeapGrowth(this.config.heapGrowingPercent);
  }
}
