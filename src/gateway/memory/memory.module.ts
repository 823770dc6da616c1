import { Module } from '@nestjs/common';
import { HeapCompactor } from './heap-compactor.service.js';
import { HeapGrowthLimit } from './heap-growth.service.js';

/** The process's memory: collecting and giving back what bursts of new streams leave behind. */
@Module({ providers: [HeapCompactor, HeapGrowthLimit] })
export class MemoryModule {}
