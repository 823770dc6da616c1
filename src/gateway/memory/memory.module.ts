import { Module } from '@nestjs/common';
import { HeapCompactor } from './heap-compactor.service.js';

/** The process's memory: giving back what bursts of new streams leave behind. */
@Module({ providers: [HeapCompactor] })
export class MemoryModule {}
