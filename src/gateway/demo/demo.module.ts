import { Module } from '@nestjs/common';
import { DemoController } from './demo.controller.js';

/** The live demo page and the client's browser bundle, served by the gateway itself. */
@Module({ controllers: [DemoController] })
export class DemoModule {}
