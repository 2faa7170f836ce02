import {
  ArgumentMetadata,
  BadRequestException,
  ValidationError,
  ValidationPipe,
  ValidationPipeOptions,
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
/**
 * Deepest nesting any input may have. Our bodies are flat or one object deep; JSON.parse reads
 * thousands of levels happily, but class-transformer and class-validator recurse and overflow
 * the stack (a RangeError, so a 500) a few thousand levels down.
 */
export const MAX_INPUT_DEPTH = 8;

/**
 * The path of the first value nested deeper than `max` levels, or null. Iterative, so the
 * check itself cannot overflow the stack whatever the input.
 */
export function findTooDeep(value: unknown, max = MAX_INPUT_DEPTH): string | null {
  const stack: { node: unknown; path: string; depth: number }[] = [
    { node: value, path: '', depth: 0 },
  ];
  while (stack.length) {
    const { node, path, depth } = stack.pop()!;
    if (node === null || typeof node !== 'object') continue;
    if (depth >= max) return path || '(body)';
    for (const key of Object.keys(node)) {
      const child = (node as Record<string, unknown>)[key];
      stack.push({ node: child, path: path ? `${path}.${key}` : key, depth: depth + 1 });
    }
  }
  return null;
}

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

const IGNORES_UNKNOWN = Symbol('ignoresUnknownParameters');

/**
 * Marks a query DTO whose unknown parameters are dropped instead of refused: only for input a
 * third party shapes and may extend (amoCRM's OAuth redirect), never for our own API's bodies.
 */
export function IgnoreUnknownParameters(): ClassDecorator {
  return (target) => {
    Reflect.defineMetadata(IGNORES_UNKNOWN, true, target);
  };
}

const ignoresUnknown = (metatype: unknown): boolean =>
  typeof metatype === 'function' && Reflect.getMetadata(IGNORES_UNKNOWN, metatype) === true;

/**
 * ValidationPipe's whitelist silently drops `__proto__`/`constructor` keys; input carrying
 * them is refused outright instead, so nothing a caller sent disappears without an answer.
 */
class StrictValidationPipe extends ValidationPipe {
  constructor(
    options: ValidationPipeOptions,
    private readonly lenient: ValidationPipe,
  ) {
    super(options);
  }

  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (metadata.type === 'body' || metadata.type === 'query') {
      const deep = findTooDeep(value);
      if (deep) {
        const field = deep.split('.')[0];
        throw new BadRequestException({
          statusCode: 400,
          message: `Validation failed: ${field}`,
          errors: [
            { field, messages: [`${field} is nested more than ${MAX_INPUT_DEPTH} levels deep`] },
          ],
        });
      }
      const key = findForbiddenKey(value);
      if (key) {
        throw new BadRequestException({
          statusCode: 400,
          message: `Validation failed: ${key}`,
          errors: [{ field: key, messages: [`property ${key} is not allowed`] }],
        });
      }
    }
    if (ignoresUnknown(metadata.metatype)) return this.lenient.transform(value, metadata);
    return super.transform(value, metadata);
  }
}

/** Whitelisting DTO validation whose 400 lists every failing field. */
export function createValidationPipe(): ValidationPipe {
  const options: ValidationPipeOptions = {
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
  };
  return new StrictValidationPipe(
    options,
    new ValidationPipe({ ...options, forbidNonWhitelisted: false }),
  );
}
