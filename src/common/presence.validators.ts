import { applyDecorators } from '@nestjs/common';
import { ValidateBy, ValidateIf, ValidationArguments } from 'class-validator';

/**
 * For PATCH bodies: the field may be left out (kept as it is), but `null` is refused with a
 * 400 naming it. `@IsOptional()` would let `null` through to a NOT NULL column (a 500).
 */
export const OptionalButNotNull = (): PropertyDecorator =>
  applyDecorators(
    ValidateIf((_o: object, value: unknown) => value !== undefined),
    ValidateBy({
      name: 'notNull',
      validator: {
        validate: (value: unknown) => value !== null,
        defaultMessage: (args?: ValidationArguments) =>
          `${args?.property ?? 'value'} cannot be null; leave it out to keep the current value`,
      },
    }),
  );
