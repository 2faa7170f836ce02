/** Leads: plain create, update, and the complex create with one embedded contact. */
import {
  LEAD_FIELDS,
  findPipeline,
  firstRegularStatus,
  mainPipeline,
  type FieldDef,
  type PipelineDef,
} from '../fixtures';
import { isRecord } from '../http';
import type { ContactWrite, LeadRecord, LeadWrite, SandboxStore } from '../store';
import {
  DETAIL,
  checkKeys,
  join,
  readArray,
  readInt,
  readName,
  readString,
  readTags,
  readTimestamps,
  readUser,
  type Issues,
} from './common';
import { validateContact } from './contacts';
import { readCustomFields } from './custom-fields';

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
  opts: { idRequired?: boolean; existing?: LeadRecord; fields?: FieldDef[] } = {},
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

  const name = readName(raw, 'name', '', issues);
  if (name !== undefined) out.name = name;
  const price = readInt(raw, 'price', '', issues, { min: 0 });
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
      opts.fields ?? LEAD_FIELDS,
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
