/**
 * Request validation as strict as amoCRM's: nothing is written when any item of a batch is
 * invalid, and the 400 names each failing item by its request_id with code/path/detail errors.
 * This file holds the error collector, the body parsers and the readers every resource shares.
 */
import { isAssignableUser } from '../fixtures';
import { isRecord, jsonReply, problemReply, PROBLEM_JSON, type Reply } from '../http';
import type { SandboxStore, TagRef } from '../store';

export interface FieldError {
  code: string;
  path: string;
  detail: string;
}

export interface ItemErrors {
  request_id: string;
  errors: FieldError[];
}

export const DETAIL = {
  choice: 'The value you selected is not a valid choice.',
  unexpected: 'This field was not expected.',
  notFound: 'Entity not found.',
  blank: 'This value should not be blank.',
  numeric: 'This value should be of type numeric.',
  one: 'This collection should contain 1 element or less.',
};

export class Issues {
  readonly errors: FieldError[] = [];

  add(code: string, path: string, detail: string): void {
    this.errors.push({ code, path, detail });
  }
  type(path: string, type: string): void {
    this.add('InvalidType', path, `This value should be of type ${type}.`);
  }
  choice(path: string): void {
    this.add('NotSupportedChoice', path, DETAIL.choice);
  }
  unexpected(path: string): void {
    this.add('UnexpectedField', path, DETAIL.unexpected);
  }
  notFound(path: string): void {
    this.add('NotFound', path, DETAIL.notFound);
  }
  blank(path: string): void {
    this.add('NotBlank', path, DETAIL.blank);
  }
}

export function join(base: string, key: string | number): string {
  return base === '' ? String(key) : `${base}.${key}`;
}

export function validationReply(items: ItemErrors[]): Reply {
  return jsonReply(
    400,
    {
      'validation-errors': items,
      title: 'Bad Request',
      type: 'https://httpstatus.es/400',
      status: 400,
      detail: 'Request validation failed',
    },
    PROBLEM_JSON,
  );
}

export function emptyRequestReply(): Reply {
  return problemReply(400, 'Request data can not be empty');
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; reply: Reply };

export function parseJson(body: string): Parsed<unknown> {
  if (body.trim() === '') return { ok: false, reply: emptyRequestReply() };
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    return { ok: false, reply: problemReply(400, 'Request body is not valid JSON') };
  }
  if (value === null) return { ok: false, reply: emptyRequestReply() };
  if (Array.isArray(value) && value.length === 0) return { ok: false, reply: emptyRequestReply() };
  if (isRecord(value) && Object.keys(value).length === 0) {
    return { ok: false, reply: emptyRequestReply() };
  }
  return { ok: true, value };
}

/** Batch endpoints take a JSON array of at most `max` items. */
export function parseBatch(body: string, max: number, limitDetail: string): Parsed<unknown[]> {
  const parsed = parseJson(body);
  if (!parsed.ok) return parsed;
  if (!Array.isArray(parsed.value)) {
    return {
      ok: false,
      reply: validationReply([
        {
          request_id: '0',
          errors: [
            { code: 'InvalidType', path: '', detail: 'This value should be of type array.' },
          ],
        },
      ]),
    };
  }
  if (parsed.value.length > max) return { ok: false, reply: problemReply(422, limitDetail) };
  return { ok: true, value: parsed.value };
}

export function parseObject(body: string): Parsed<Record<string, unknown>> {
  const parsed = parseJson(body);
  if (!parsed.ok) return parsed;
  if (!isRecord(parsed.value)) {
    return {
      ok: false,
      reply: validationReply([
        {
          request_id: '0',
          errors: [
            { code: 'InvalidType', path: '', detail: 'This value should be of type object.' },
          ],
        },
      ]),
    };
  }
  return { ok: true, value: parsed.value };
}

/** request_id must be a string; when absent an item is known by its index, as the official library does. */
export function requestIdOf(raw: unknown, index: number, issues: Issues): string {
  if (!isRecord(raw) || !('request_id' in raw)) return String(index);
  const rid = raw.request_id;
  if (typeof rid === 'string') return rid;
  issues.type('request_id', 'string');
  return String(index);
}

export function checkKeys(
  obj: Record<string, unknown>,
  allowed: readonly string[],
  base: string,
  issues: Issues,
): void {
  for (const key of Object.keys(obj)) {
    if (!allowed.includes(key)) issues.unexpected(join(base, key));
  }
}

export function readInt(
  obj: Record<string, unknown>,
  key: string,
  base: string,
  issues: Issues,
  opts: { nullable?: boolean; min?: number } = {},
): number | null | undefined {
  if (!(key in obj)) return undefined;
  const v = obj[key];
  if (v === null && opts.nullable) return null;
  if (typeof v !== 'number' || !Number.isInteger(v)) {
    issues.type(join(base, key), 'int');
    return undefined;
  }
  if (opts.min !== undefined && v < opts.min) {
    issues.add('GreaterThanOrEqual', join(base, key), `This value should be ${opts.min} or more.`);
    return undefined;
  }
  return v;
}

export function readString(
  obj: Record<string, unknown>,
  key: string,
  base: string,
  issues: Issues,
): string | undefined {
  if (!(key in obj)) return undefined;
  const v = obj[key];
  if (typeof v !== 'string') {
    issues.type(join(base, key), 'string');
    return undefined;
  }
  return v;
}

export function readUser(
  obj: Record<string, unknown>,
  key: string,
  base: string,
  issues: Issues,
  allowRobot: boolean,
): number | undefined {
  const id = readInt(obj, key, base, issues);
  if (id === undefined || id === null) return undefined;
  if ((allowRobot && id === 0) || isAssignableUser(id)) return id;
  issues.choice(join(base, key));
  return undefined;
}

export function readArray(
  obj: Record<string, unknown>,
  key: string,
  base: string,
  issues: Issues,
): unknown[] | undefined {
  if (!(key in obj)) return undefined;
  const v = obj[key];
  if (!Array.isArray(v)) {
    issues.type(join(base, key), 'array');
    return undefined;
  }
  return v as unknown[];
}

export function readTags(
  list: unknown[],
  base: string,
  issues: Issues,
  store: SandboxStore,
): TagRef[] {
  const refs: TagRef[] = [];
  list.forEach((item, i) => {
    const path = join(base, i);
    if (!isRecord(item)) {
      issues.type(path, 'object');
      return;
    }
    checkKeys(item, ['id', 'name'], path, issues);
    if ('id' in item) {
      const id = readInt(item, 'id', path, issues);
      if (id === undefined || id === null) return;
      if (!store.tagExists(id)) issues.notFound(join(path, 'id'));
      else refs.push({ id });
      return;
    }
    const name = readString(item, 'name', path, issues);
    if (name === undefined) {
      if (!('name' in item)) issues.blank(join(path, 'name'));
      return;
    }
    if (name.trim() === '') issues.blank(join(path, 'name'));
    else refs.push({ name });
  });
  return refs;
}

export function readTimestamps(
  obj: Record<string, unknown>,
  base: string,
  issues: Issues,
  target: { createdAt?: number; updatedAt?: number },
): void {
  const createdAt = readInt(obj, 'created_at', base, issues, { min: 0 });
  if (typeof createdAt === 'number') target.createdAt = createdAt;
  const updatedAt = readInt(obj, 'updated_at', base, issues, { min: 0 });
  if (typeof updatedAt === 'number') target.updatedAt = updatedAt;
}

/** Longest name accepted; amoCRM does not document its limit, 255 is the usual column size (assumed). */
export const MAX_NAME_LENGTH = 255;

/** A string field that is also a name: refused past MAX_NAME_LENGTH characters. */
export function readName(
  obj: Record<string, unknown>,
  key: string,
  base: string,
  issues: Issues,
): string | undefined {
  const v = readString(obj, key, base, issues);
  if (v !== undefined && [...v].length > MAX_NAME_LENGTH) {
    issues.add(
      'LengthTooLong',
      join(base, key),
      `This value is too long. It should have ${MAX_NAME_LENGTH} characters or less.`,
    );
    return undefined;
  }
  return v;
}
