import type { ApiPropertyOptions } from '@nestjs/swagger';

/**
 * `@ApiProperty` options of a field that holds any JSON value, `null` included (an event's
 * `data`). `@nestjs/swagger` gives every property a `type` (`unknown` reflects as `object`);
 * the one way to a schema without one is an array type with a combinator, which it leaves
 * untyped. `nullable` stays on the property itself: `SwaggerModule` rewrites it for 3.1 in place,
 * and a nested one would be rewritten in the decorator's own metadata, breaking a 3.0 document
 * made later in the same process.
 */
export const anyJsonProperty = (description: string, example: unknown): ApiPropertyOptions => ({
  type: Array,
  anyOf: [{ type: 'object' }, { type: 'array', items: {} }, { type: 'string' }, { type: 'number' }, { type: 'boolean' }],
  nullable: true,
  description,
  example,
});
