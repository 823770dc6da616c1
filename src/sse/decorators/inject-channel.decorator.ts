import { Inject } from '@nestjs/common';
import { getChannelToken } from '../utils/channel-token.util.js';

/** Injects the `Channel<T>` registered with `SseModule.forFeature([{ name }])`. */
export const InjectChannel = (name: string): ParameterDecorator & PropertyDecorator =>
  Inject(getChannelToken(name));
