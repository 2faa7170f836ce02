import {
  ArgumentMetadata,
  BadRequestException,
  ValidationError,
  ValidationPipe,
} from '@nestjs/common';
import { FieldError } from './domain-errors';

function flatten(errors: ValidationError[], prefix = ''): FieldError[] {
  return errors.flatMap((e) => {
    const field = prefix ? `${prefix}.${e.property}` : e.property;
    const own: FieldError[] = e.constraints
      ? [{ field, messages: Object.values(e.constraints) }]
      : [];
    return [...own, ...flatten(e.children ?? [], field)];
  });
}

const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);
const MAX_WALK_DEPTH = 32;

/** Finds a prototype-polluting key anywhere in parsed input (JSON.parse keeps them as own keys). */
export function findForbiddenKey(value: unknown, path = '', depth = 0): string | null {
  if (value === null || typeof value !== 'object' || depth > MAX_WALK_DEPTH) return null;
  for (const key of Object.keys(value)) {
    const here = path ? `${path}.${key}` : key;
    if (FORBIDDEN_KEYS.has(key)) return here;
    const found = findForbiddenKey((value as Record<string, unknown>)[key], here, depth + 1);
    if (found) return found;
  }
  return null;
}

/**
 * ValidationPipe's whitelist silently drops `__proto__`/`constructor` keys; input carrying
 * them is refused outright instead, so nothing a caller sent disappears without an answer.
 */
class StrictValidationPipe extends ValidationPipe {
  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (metadata.type === 'body' || metadata.type === 'query') {
      const key = findForbiddenKey(value);
      if (key) {
        throw new BadRequestException({
          statusCode: 400,
          message: `Validation failed: ${key}`,
          errors: [{ field: key, messages: [`property ${key} is not allowed`] }],
        });
      }
    }
    return super.transform(value, metadata);
  }
}

/** Whitelisting DTO validation whose 400 lists every failing field. */
export function createValidationPipe(): ValidationPipe {
  return new StrictValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    forbidUnknownValues: true,
    stopAtFirstError: false,
    exceptionFactory: (errors) => {
      const fields = flatten(errors);
      return new BadRequestException({
        statusCode: 400,
        message: `Validation failed: ${fields.map((f) => f.field).join(', ')}`,
        errors: fields,
      });
    },
  });
}
