import { applyDecorators } from '@nestjs/common';
import { ApiBearerAuth, ApiProperty, ApiPropertyOptional, ApiResponse } from '@nestjs/swagger';
import { ErrorBody } from './error-body';
import { FieldError } from './domain-errors';

/**
 * OpenAPI pieces every controller shares: the one error body, and the error answers each kind
 * of route can give, so a client generated from /api/docs-json knows every status it may see.
 */
export class FieldErrorSchema implements FieldError {
  @ApiProperty({ example: 'guestPhone' })
  field!: string;

  @ApiProperty({ type: [String], example: ['guestPhone is not a valid phone number'] })
  messages!: string[];
}

export class ErrorBodySchema implements ErrorBody {
  @ApiProperty({ example: 400 })
  statusCode!: number;

  @ApiProperty({ example: 'Validation failed' })
  message!: string;

  @ApiPropertyOptional({
    type: [FieldErrorSchema],
    description: 'Present only for field validation errors',
  })
  errors?: FieldErrorSchema[];
}

const ERROR_DESCRIPTIONS: Record<number, string> = {
  400: 'Invalid input; `errors` names each field when fields are at fault',
  401: 'Missing or wrong credentials',
  403: 'Not allowed (for admin routes: ADMIN_API_KEY is not set, so the admin API is closed)',
  404: 'Not found',
  409: 'Conflict with the current state',
  413: 'Request body too large',
  429: 'Too many requests; see the Retry-After header',
  502: 'amoCRM failed or could not be reached',
  503: 'Unavailable: the database does not answer, or the feature is not configured',
};

/** Error answers with the shared body; statuses without a description get a generic one. */
export function ApiErrors(...statuses: number[]): MethodDecorator & ClassDecorator {
  return applyDecorators(
    ...statuses.map((status) =>
      ApiResponse({
        status,
        description: ERROR_DESCRIPTIONS[status] ?? 'Error',
        type: ErrorBodySchema,
      }),
    ),
  );
}

/** An admin route: bearer key, and the answers the admin guard gives. */
export function ApiAdmin(): MethodDecorator & ClassDecorator {
  return applyDecorators(ApiBearerAuth(), ApiErrors(401, 403));
}

/** Wraps an item schema class into the paginated list every list route answers with. */
export function pageSchema(itemRef: string): Record<string, unknown> {
  return {
    type: 'object',
    required: ['items', 'page', 'limit', 'total'],
    properties: {
      items: { type: 'array', items: { $ref: `#/components/schemas/${itemRef}` } },
      page: { type: 'integer', example: 1 },
      limit: { type: 'integer', example: 20 },
      total: { type: 'integer', example: 1 },
    },
  };
}
