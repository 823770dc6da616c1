import { ApiProperty, ApiSchema } from '@nestjs/swagger';

/** The OpenAPI schema of `ErrorBody` (`../error-body.ts`), the JSON body of every error answer. */
@ApiSchema({ name: 'ErrorBody', description: 'The JSON body of every error answer of the HTTP API.' })
export class ErrorBodySchema {
  @ApiProperty({ type: 'integer', minimum: 400, maximum: 599, description: 'The HTTP status, repeated.', example: 400 })
  readonly statusCode!: number;

  @ApiProperty({ description: "The status' reason phrase.", example: 'Bad Request' })
  readonly error!: string;

  @ApiProperty({ description: 'What is wrong, for a person to read; safe to show.', example: 'channel name "a b" must be 1-128 characters of A-Z a-z 0-9 . _ : -' })
  readonly message!: string;
}
