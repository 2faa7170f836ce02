/**
 * Request validation as strict as amoCRM's: nothing is written when any item of a batch is
 * invalid, and the 400 names each failing item by its request_id with code/path/detail errors.
 */
import {
  CONTACT_FIELDS,
  LEAD_FIELDS,
  USERS,
  findPipeline,
  mainPipeline,
  firstRegularStatus,
  type FieldDef,
  type PipelineDef,
} from './fixtures';
import { isRecord, jsonReply, problemReply, PROBLEM_JSON, type Reply } from './http';
import type {
  ContactWrite,
  CustomFieldPatch,
  LeadRecord,
  LeadWrite,
  SandboxStore,
  TagRef,
} from './store';
import type { CustomFieldValueItem } from './types';

export interface FieldError {
  code: string;
  path: string;
  detail: string;
}

export interface ItemErrors {
  request_id: string;
  errors: FieldError[];
}

const DETAIL = {
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

function checkKeys(
  obj: Record<string, unknown>,
  allowed: readonly string[],
  base: string,
  issues: Issues,
): void {
  for (const key of Object.keys(obj)) {
    if (!allowed.includes(key)) issues.unexpected(join(base, key));
  }
}

function readInt(
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

function readString(
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

function readUser(
  obj: Record<string, unknown>,
  key: string,
  base: string,
  issues: Issues,
  allowRobot: boolean,
): number | undefined {
  const id = readInt(obj, key, base, issues);
  if (id === undefined || id === null) return undefined;
  if ((allowRobot && id === 0) || USERS.some((u) => u.id === id)) return id;
  issues.choice(join(base, key));
  return undefined;
}

function readArray(
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

function readTags(list: unknown[], base: string, issues: Issues, store: SandboxStore): TagRef[] {
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

function readTimestamps(
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

const NUMERIC = /^-?\d+(\.\d+)?$/;

function readFieldValues(
  field: FieldDef,
  raw: unknown,
  base: string,
  issues: Issues,
): CustomFieldValueItem[] | null | undefined {
  if (raw === null) return null;
  if (!Array.isArray(raw)) {
    issues.type(base, 'array');
    return undefined;
  }
  if (raw.length === 0) {
    issues.blank(base);
    return undefined;
  }
  if (field.type === 'select' && raw.length > 1) {
    issues.add('CountTooMany', base, DETAIL.one);
    return undefined;
  }
  const enums = field.enums ?? [];
  const out: CustomFieldValueItem[] = [];
  const before = issues.errors.length;
  raw.forEach((item, j) => {
    const path = join(base, j);
    if (!isRecord(item)) {
      issues.type(path, 'object');
      return;
    }
    switch (field.type) {
      case 'text': {
        checkKeys(item, ['value'], path, issues);
        const value = readString(item, 'value', path, issues);
        if (!('value' in item)) issues.blank(join(path, 'value'));
        if (value !== undefined) out.push({ value });
        return;
      }
      case 'numeric': {
        checkKeys(item, ['value'], path, issues);
        const v = item.value;
        if (typeof v === 'number' && Number.isFinite(v)) out.push({ value: String(v) });
        else if (typeof v === 'string' && NUMERIC.test(v.trim())) out.push({ value: v.trim() });
        else issues.add('InvalidType', join(path, 'value'), DETAIL.numeric);
        return;
      }
      case 'select': {
        checkKeys(item, ['value', 'enum_id'], path, issues);
        const enumId = readInt(item, 'enum_id', path, issues);
        const value = readString(item, 'value', path, issues);
        if (enumId === undefined && value === undefined) {
          if (!('enum_id' in item) && !('value' in item)) issues.blank(join(path, 'value'));
          return;
        }
        const byId = typeof enumId === 'number' ? enums.find((e) => e.id === enumId) : undefined;
        if (typeof enumId === 'number' && !byId) {
          issues.choice(join(path, 'enum_id'));
          return;
        }
        const byValue = value !== undefined ? enums.find((e) => e.value === value) : undefined;
        if (value !== undefined && (!byValue || (byId && byId !== byValue))) {
          issues.choice(join(path, 'value'));
          return;
        }
        const chosen = byId ?? byValue;
        if (chosen) out.push({ value: chosen.value, enum_id: chosen.id, enum_code: null });
        return;
      }
      case 'multitext': {
        checkKeys(item, ['value', 'enum_id', 'enum_code'], path, issues);
        const value = readString(item, 'value', path, issues);
        if (!('value' in item)) issues.blank(join(path, 'value'));
        else if (value !== undefined && value.trim() === '') issues.blank(join(path, 'value'));
        const enumId = readInt(item, 'enum_id', path, issues);
        const enumCode = readString(item, 'enum_code', path, issues);
        let chosen = enums.find((e) => e.value === 'WORK') ?? enums[0];
        if (typeof enumId === 'number') {
          const byId = enums.find((e) => e.id === enumId);
          if (!byId) issues.choice(join(path, 'enum_id'));
          else chosen = byId;
        }
        if (enumCode !== undefined) {
          const byCode = enums.find((e) => e.value === enumCode);
          if (!byCode || (typeof enumId === 'number' && byCode.id !== enumId)) {
            issues.choice(join(path, 'enum_code'));
          } else chosen = byCode;
        }
        if (value !== undefined && chosen) {
          out.push({ value, enum_id: chosen.id, enum_code: chosen.value });
        }
        return;
      }
    }
  });
  return issues.errors.length === before ? out : undefined;
}

function readCustomFields(
  raw: unknown,
  fields: FieldDef[],
  base: string,
  issues: Issues,
): CustomFieldPatch[] | undefined {
  if (!Array.isArray(raw)) {
    issues.type(base, 'array');
    return undefined;
  }
  const patches: CustomFieldPatch[] = [];
  raw.forEach((item, i) => {
    const path = join(base, i);
    if (!isRecord(item)) {
      issues.type(path, 'object');
      return;
    }
    checkKeys(item, ['field_id', 'field_code', 'values'], path, issues);
    let field: FieldDef | undefined;
    if ('field_id' in item) {
      const id = readInt(item, 'field_id', path, issues);
      if (id === undefined || id === null) return;
      field = fields.find((f) => f.id === id);
      if (!field) {
        issues.choice(join(path, 'field_id'));
        return;
      }
    } else if ('field_code' in item) {
      const code = readString(item, 'field_code', path, issues);
      if (code === undefined) return;
      field = fields.find((f) => f.code !== null && f.code === code);
      if (!field) {
        issues.choice(join(path, 'field_code'));
        return;
      }
    } else {
      issues.blank(join(path, 'field_id'));
      return;
    }
    if (!('values' in item)) {
      issues.blank(join(path, 'values'));
      return;
    }
    const values = readFieldValues(field, item.values, join(path, 'values'), issues);
    if (values !== undefined) patches.push({ field, values });
  });
  return patches;
}

const LEAD_KEYS = [
  'name',
  'price',
  'status_id',
  'pipeline_id',
  'created_by',
  'updated_by',
  'created_at',
  'updated_at',
  'closed_at',
  'loss_reason_id',
  'responsible_user_id',
  'custom_fields_values',
  'tags_to_add',
  'tags_to_delete',
  '_embedded',
  'request_id',
] as const;

export type LeadMode = 'create' | 'update' | 'complex';

export interface ComplexContact {
  existingId?: number;
  create?: ContactWrite;
}

export interface LeadInput extends LeadWrite {
  id?: number;
  complexContact?: ComplexContact;
}

/**
 * Resolves status and pipeline together: a status is valid only in the pipeline named in the
 * request, else in the lead's current pipeline (update) or the main pipeline (create); 142/143
 * exist in every pipeline; the incoming (unsorted) stage cannot be set through the API.
 */
function resolveStage(
  statusId: number | undefined,
  pipelineId: number | undefined,
  existing: LeadRecord | undefined,
  issues: Issues,
  out: LeadWrite,
): void {
  if (statusId === undefined && pipelineId === undefined) return;
  let pipeline: PipelineDef | undefined;
  if (pipelineId !== undefined) {
    pipeline = findPipeline(pipelineId);
    if (!pipeline) {
      issues.choice('pipeline_id');
      return;
    }
  } else {
    pipeline = existing ? findPipeline(existing.pipeline_id) : mainPipeline();
  }
  if (!pipeline) return;
  if (statusId !== undefined) {
    const status = pipeline.statuses.find((s) => s.id === statusId);
    if (!status || status.type === 1) {
      issues.choice('status_id');
      return;
    }
    out.statusId = statusId;
    out.pipelineId = pipeline.id;
    return;
  }
  out.pipelineId = pipeline.id;
  if (!existing || existing.pipeline_id !== pipeline.id) {
    out.statusId = firstRegularStatus(pipeline).id;
  }
}

export function validateLead(
  raw: unknown,
  mode: LeadMode,
  store: SandboxStore,
  issues: Issues,
  opts: { idRequired?: boolean; existing?: LeadRecord } = {},
): LeadInput {
  const out: LeadInput = {};
  if (!isRecord(raw)) {
    issues.type('', 'object');
    return out;
  }
  const allowed: string[] = [...LEAD_KEYS];
  if (mode === 'update') allowed.push('id');
  else allowed.push('visitor_uid');
  checkKeys(raw, allowed, '', issues);

  let existing = opts.existing;
  if (mode === 'update') {
    const id = readInt(raw, 'id', '', issues);
    if (typeof id === 'number') {
      out.id = id;
      if (opts.existing && opts.existing.id !== id) issues.choice('id');
      existing = opts.existing ?? store.leads.get(id);
      if (!existing) issues.notFound('id');
    } else if (opts.idRequired && !('id' in raw)) {
      issues.blank('id');
    }
  }

  const name = readString(raw, 'name', '', issues);
  if (name !== undefined) out.name = name;
  const price = readInt(raw, 'price', '', issues);
  if (typeof price === 'number') out.price = price;
  const statusId = readInt(raw, 'status_id', '', issues) ?? undefined;
  const pipelineId = readInt(raw, 'pipeline_id', '', issues) ?? undefined;
  // An update of an unknown lead has already failed; its stage cannot be resolved.
  if (mode !== 'update' || existing) resolveStage(statusId, pipelineId, existing, issues, out);
  out.responsibleUserId = readUser(raw, 'responsible_user_id', '', issues, false);
  out.createdBy = readUser(raw, 'created_by', '', issues, true);
  out.updatedBy = readUser(raw, 'updated_by', '', issues, true);
  readTimestamps(raw, '', issues, out);
  const closedAt = readInt(raw, 'closed_at', '', issues, { nullable: true, min: 0 });
  if (closedAt !== undefined) out.closedAt = closedAt;
  const lossReason = readInt(raw, 'loss_reason_id', '', issues, { nullable: true });
  if (lossReason !== undefined) out.lossReasonId = lossReason;
  if ('visitor_uid' in raw) readString(raw, 'visitor_uid', '', issues);

  if ('custom_fields_values' in raw) {
    out.customFields = readCustomFields(
      raw.custom_fields_values,
      LEAD_FIELDS,
      'custom_fields_values',
      issues,
    );
  }
  const add = readArray(raw, 'tags_to_add', '', issues);
  if (add) out.tagsToAdd = readTags(add, 'tags_to_add', issues, store);
  const del = readArray(raw, 'tags_to_delete', '', issues);
  if (del) out.tagsToDelete = readTags(del, 'tags_to_delete', issues, store);

  if ('_embedded' in raw) readLeadEmbedded(raw._embedded, mode, store, issues, out);
  return out;
}

function readLeadEmbedded(
  raw: unknown,
  mode: LeadMode,
  store: SandboxStore,
  issues: Issues,
  out: LeadInput,
): void {
  const base = '_embedded';
  if (!isRecord(raw)) {
    issues.type(base, 'object');
    return;
  }
  const allowed =
    mode === 'update'
      ? ['tags']
      : mode === 'create'
        ? ['tags', 'contacts', 'companies', 'source']
        : ['tags', 'contacts', 'companies', 'source', 'metadata'];
  checkKeys(raw, allowed, base, issues);
  const tags = readArray(raw, 'tags', base, issues);
  if (tags) out.tags = readTags(tags, join(base, 'tags'), issues, store);

  const companies = readArray(raw, 'companies', base, issues);
  // The sandbox account has no companies, so any company reference is unknown.
  companies?.forEach((_c, i) => issues.choice(join(join(base, 'companies'), i)));

  for (const key of ['source', 'metadata'] as const) {
    if (key in raw && !isRecord(raw[key])) issues.type(join(base, key), 'object');
  }

  const contacts = readArray(raw, 'contacts', base, issues);
  if (!contacts) return;
  const cbase = join(base, 'contacts');
  if (mode === 'complex') {
    if (contacts.length > 1) {
      issues.add('CountTooMany', cbase, DETAIL.one);
      return;
    }
    const c = contacts[0];
    if (c === undefined) return;
    const path = join(cbase, 0);
    if (isRecord(c) && 'id' in c) {
      checkKeys(c, ['id'], path, issues);
      const id = readInt(c, 'id', path, issues);
      if (typeof id !== 'number') return;
      if (!store.contacts.has(id)) issues.notFound(join(path, 'id'));
      else out.complexContact = { existingId: id };
      return;
    }
    out.complexContact = { create: validateContact(c, 'create', store, issues, path) };
    return;
  }
  out.contacts = [];
  contacts.forEach((c, i) => {
    const path = join(cbase, i);
    if (!isRecord(c)) {
      issues.type(path, 'object');
      return;
    }
    checkKeys(c, ['id', 'is_main'], path, issues);
    const id = readInt(c, 'id', path, issues);
    if (!('id' in c)) issues.blank(join(path, 'id'));
    let isMain = i === 0;
    if ('is_main' in c) {
      if (typeof c.is_main !== 'boolean') issues.type(join(path, 'is_main'), 'bool');
      else isMain = c.is_main;
    }
    if (typeof id !== 'number') return;
    if (!store.contacts.has(id)) issues.notFound(join(path, 'id'));
    else out.contacts?.push({ id, isMain });
  });
}

const CONTACT_KEYS = [
  'name',
  'first_name',
  'last_name',
  'responsible_user_id',
  'created_by',
  'updated_by',
  'created_at',
  'updated_at',
  'custom_fields_values',
  'tags_to_add',
  'tags_to_delete',
  '_embedded',
  'request_id',
] as const;

export interface ContactInput extends ContactWrite {
  id?: number;
}

export function validateContact(
  raw: unknown,
  mode: 'create' | 'update',
  store: SandboxStore,
  issues: Issues,
  base = '',
  opts: { idRequired?: boolean; existingId?: number } = {},
): ContactInput {
  const out: ContactInput = {};
  if (!isRecord(raw)) {
    issues.type(base, 'object');
    return out;
  }
  const allowed: string[] = [...CONTACT_KEYS];
  if (mode === 'update') allowed.push('id');
  checkKeys(raw, allowed, base, issues);
  if (mode === 'update') {
    const id = readInt(raw, 'id', base, issues);
    if (typeof id === 'number') {
      out.id = id;
      if (opts.existingId !== undefined && opts.existingId !== id) issues.choice(join(base, 'id'));
      else if (!store.contacts.has(id)) issues.notFound(join(base, 'id'));
    } else if (opts.idRequired && !('id' in raw)) {
      issues.blank(join(base, 'id'));
    }
  }
  const name = readString(raw, 'name', base, issues);
  if (name !== undefined) out.name = name;
  const first = readString(raw, 'first_name', base, issues);
  if (first !== undefined) out.firstName = first;
  const last = readString(raw, 'last_name', base, issues);
  if (last !== undefined) out.lastName = last;
  out.responsibleUserId = readUser(raw, 'responsible_user_id', base, issues, false);
  out.createdBy = readUser(raw, 'created_by', base, issues, true);
  out.updatedBy = readUser(raw, 'updated_by', base, issues, true);
  readTimestamps(raw, base, issues, out);
  if ('custom_fields_values' in raw) {
    out.customFields = readCustomFields(
      raw.custom_fields_values,
      CONTACT_FIELDS,
      join(base, 'custom_fields_values'),
      issues,
    );
  }
  const add = readArray(raw, 'tags_to_add', base, issues);
  if (add) out.tagsToAdd = readTags(add, join(base, 'tags_to_add'), issues, store);
  const del = readArray(raw, 'tags_to_delete', base, issues);
  if (del) out.tagsToDelete = readTags(del, join(base, 'tags_to_delete'), issues, store);
  if ('_embedded' in raw) {
    const eb = join(base, '_embedded');
    const emb = raw._embedded;
    if (!isRecord(emb)) issues.type(eb, 'object');
    else {
      checkKeys(emb, ['tags', 'companies'], eb, issues);
      const tags = readArray(emb, 'tags', eb, issues);
      if (tags) out.tags = readTags(tags, join(eb, 'tags'), issues, store);
      readArray(emb, 'companies', eb, issues)?.forEach((_c, i) =>
        issues.choice(join(join(eb, 'companies'), i)),
      );
    }
  }
  return out;
}

export interface NoteInput {
  leadId: number;
  noteType: string;
  text: string;
  createdBy?: number;
  responsibleUserId?: number;
}

const NOTE_TYPES = ['common'];

export function validateNote(
  raw: unknown,
  store: SandboxStore,
  issues: Issues,
  leadIdFromPath?: number,
): NoteInput | undefined {
  if (!isRecord(raw)) {
    issues.type('', 'object');
    return undefined;
  }
  checkKeys(
    raw,
    [
      'entity_id',
      'note_type',
      'params',
      'created_by',
      'responsible_user_id',
      'request_id',
      'is_need_to_trigger_digital_pipeline',
    ],
    '',
    issues,
  );
  let leadId = leadIdFromPath;
  const entityId = readInt(raw, 'entity_id', '', issues);
  if (typeof entityId === 'number') {
    if (leadIdFromPath !== undefined && entityId !== leadIdFromPath) issues.choice('entity_id');
    else if (!store.leads.has(entityId)) issues.notFound('entity_id');
    else leadId = entityId;
  } else if (leadIdFromPath === undefined && !('entity_id' in raw)) {
    issues.blank('entity_id');
  }
  const noteType = readString(raw, 'note_type', '', issues);
  if (!('note_type' in raw)) issues.blank('note_type');
  else if (noteType !== undefined && !NOTE_TYPES.includes(noteType)) issues.choice('note_type');
  let text: string | undefined;
  if (!('params' in raw)) issues.blank('params');
  else if (!isRecord(raw.params)) issues.type('params', 'object');
  else {
    checkKeys(raw.params, ['text'], 'params', issues);
    text = readString(raw.params, 'text', 'params', issues);
    if (text === undefined && !('text' in raw.params)) issues.blank('params.text');
    else if (text !== undefined && text.trim() === '') issues.blank('params.text');
  }
  if (
    'is_need_to_trigger_digital_pipeline' in raw &&
    typeof raw.is_need_to_trigger_digital_pipeline !== 'boolean'
  ) {
    issues.type('is_need_to_trigger_digital_pipeline', 'bool');
  }
  const createdBy = readUser(raw, 'created_by', '', issues, true);
  const responsibleUserId = readUser(raw, 'responsible_user_id', '', issues, false);
  if (leadId === undefined || noteType === undefined || text === undefined) return undefined;
  return { leadId, noteType, text, createdBy, responsibleUserId };
}

export interface LinkInput {
  contactId: number;
  main?: boolean;
}

export function validateLink(
  raw: unknown,
  store: SandboxStore,
  issues: Issues,
): LinkInput | undefined {
  if (!isRecord(raw)) {
    issues.type('', 'object');
    return undefined;
  }
  checkKeys(raw, ['to_entity_id', 'to_entity_type', 'metadata'], '', issues);
  const type = readString(raw, 'to_entity_type', '', issues);
  if (!('to_entity_type' in raw)) issues.blank('to_entity_type');
  else if (type !== undefined && type !== 'contacts') issues.choice('to_entity_type');
  const id = readInt(raw, 'to_entity_id', '', issues);
  if (!('to_entity_id' in raw)) issues.blank('to_entity_id');
  else if (typeof id === 'number' && !store.contacts.has(id)) issues.notFound('to_entity_id');
  let main: boolean | undefined;
  // Both spellings circulate (Kommo reference: main_contact; the PHP library: is_main).
  if ('metadata' in raw && raw.metadata !== null) {
    const meta = raw.metadata;
    if (!isRecord(meta)) issues.type('metadata', 'object');
    else {
      checkKeys(meta, ['is_main', 'main_contact', 'updated_by'], 'metadata', issues);
      for (const key of ['is_main', 'main_contact'] as const) {
        if (!(key in meta)) continue;
        if (typeof meta[key] !== 'boolean') issues.type(join('metadata', key), 'bool');
        else main = meta[key];
      }
      readUser(meta, 'updated_by', 'metadata', issues, true);
    }
  }
  if (typeof id !== 'number' || type !== 'contacts') return undefined;
  return { contactId: id, main };
}

export const WEBHOOK_SETTINGS = [
  'add_lead',
  'update_lead',
  'delete_lead',
  'restore_lead',
  'status_lead',
  'responsible_lead',
  'note_lead',
  'add_contact',
  'update_contact',
  'delete_contact',
  'restore_contact',
  'responsible_contact',
  'note_contact',
  'add_company',
  'update_company',
  'delete_company',
  'restore_company',
  'responsible_company',
  'note_company',
  'add_customer',
  'update_customer',
  'delete_customer',
  'responsible_customer',
  'note_customer',
  'add_task',
  'update_task',
  'delete_task',
  'responsible_task',
  'add_talk',
  'update_talk',
  'add_chat_template_review',
  'add_unsorted',
  'add_message',
  'add_outgoing_message',
];

export interface WebhookInput {
  destination: string;
  settings: string[];
  sort?: number;
}

export function validateWebhook(
  raw: Record<string, unknown>,
  issues: Issues,
): WebhookInput | undefined {
  checkKeys(raw, ['destination', 'settings', 'sort'], '', issues);
  const destination = readString(raw, 'destination', '', issues);
  if (!('destination' in raw)) issues.blank('destination');
  else if (destination !== undefined) {
    let ok = false;
    try {
      const u = new URL(destination);
      ok = u.protocol === 'http:' || u.protocol === 'https:';
    } catch {
      ok = false;
    }
    if (!ok) issues.add('InvalidUrl', 'destination', 'This value is not a valid URL.');
  }
  const settings = readArray(raw, 'settings', '', issues);
  if (!('settings' in raw)) issues.blank('settings');
  else if (settings && settings.length === 0) issues.blank('settings');
  settings?.forEach((s, i) => {
    if (typeof s !== 'string') issues.type(join('settings', i), 'string');
    else if (!WEBHOOK_SETTINGS.includes(s)) issues.choice(join('settings', i));
  });
  const sort = readInt(raw, 'sort', '', issues);
  if (destination === undefined || !settings) return undefined;
  return {
    destination,
    settings: settings.filter((s): s is string => typeof s === 'string'),
    sort: typeof sort === 'number' ? sort : undefined,
  };
}
