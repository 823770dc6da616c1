import { BadRequestException } from '@nestjs/common';

/** The body of `POST /orders`: `{ "item": "<1-200 characters>", "quantity": <1-1000> }`. */
export interface CreateOrder {
  readonly item: string;
  readonly quantity: number;
}

/** Checks a request body; a bad one is a 400 that says what is wrong. */
export function parseCreateOrder(body: unknown): CreateOrder {
  const { item, quantity } = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
  const problems: string[] = [];
  if (typeof item !== 'string' || item.trim().length === 0 || item.length > 200) problems.push('item must be a string of 1-200 characters');
  if (typeof quantity !== 'number' || !Number.isInteger(quantity) || quantity < 1 || quantity > 1000) problems.push('quantity must be an integer from 1 to 1000');
  if (problems.length > 0) throw new BadRequestException(problems);
  return { item: (item as string).trim(), quantity: quantity as number };
}
