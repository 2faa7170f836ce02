/**
 * `POST /api/v4/leads/unsorted/forms` items (amocrm-api.md §9, §14.1): a top-level array of
 * `{source_uid, source_name, pipeline_id?, created_at?, metadata, _embedded: {leads: [one],
 * contacts?: [at most one]}, request_id?}`.
 */
import { findPipeline, mainPipeline, type FieldDef } from '../fixtures';
import { isRecord } from '../http';
import type { SandboxStore } from '../store';
import { DETAIL, Issues, checkKeys, join, readArray, readInt, readString } from './common';
import { validateContact, type ContactInput } from './contacts';
import { validateLead, type LeadInput } from './leads';

export interface FormsMetadata {
  form_id: string;
  form_name: string;
  form_page: string;
  form_sent_at: number;
  ip?: string;
  referer?: string;
}

export interface UnsortedFormInput {
  sourceUid: string;
  sourceName: string;
  pipelineId: number;
  createdAt?: number;
  metadata: FormsMetadata;
  lead: LeadInput;
  contact?: ContactInput;
}

const ITEM_KEYS = [
  'source_uid',
  'source_name',
  'pipeline_id',
  'created_at',
  'metadata',
  '_embedded',
  'request_id',
];
const METADATA_KEYS = ['form_id', 'form_name', 'form_page', 'form_sent_at', 'ip', 'referer'];

/** Errors of a nested validator, moved under `base`. */
function nested(issues: Issues, base: string, run: (inner: Issues) => void): void {
  const inner = new Issues();
  run(inner);
  for (const e of inner.errors) issues.add(e.code, e.path ? join(base, e.path) : base, e.detail);
}

function requiredString(raw: Record<string, unknown>, key: string, base: string, issues: Issues) {
  const v = readString(raw, key, base, issues);
  if (!(key in raw) || (v !== undefined && v.trim() === '')) issues.blank(join(base, key));
  return v;
}

export function validateUnsortedForm(
  raw: unknown,
  store: SandboxStore,
  issues: Issues,
  fields: FieldDef[],
): UnsortedFormInput | undefined {
  if (!isRecord(raw)) {
    issues.type('', 'object');
    return undefined;
  }
  checkKeys(raw, ITEM_KEYS, '', issues);
  const sourceUid = requiredString(raw, 'source_uid', '', issues);
  const sourceName = requiredString(raw, 'source_name', '', issues);
  const pipelineId = readInt(raw, 'pipeline_id', '', issues);
  let pipeline = mainPipeline();
  if (typeof pipelineId === 'number') {
    const p = findPipeline(pipelineId);
    if (!p) issues.choice('pipeline_id');
    else if (!p.is_unsorted_on) issues.choice('pipeline_id');
    else pipeline = p;
  }
  const createdAt = readInt(raw, 'created_at', '', issues, { min: 0 }) ?? undefined;

  // The metadata of a form entry: form_id, form_name, form_page and form_sent_at are required
  // (assumed: the official library always sends them; ip and referer are optional).
  let metadata: FormsMetadata | undefined;
  if (!('metadata' in raw)) issues.blank('metadata');
  else if (!isRecord(raw.metadata)) issues.type('metadata', 'object');
  else {
    const m = raw.metadata;
    checkKeys(m, METADATA_KEYS, 'metadata', issues);
    const formId = requiredString(m, 'form_id', 'metadata', issues);
    const formName = requiredString(m, 'form_name', 'metadata', issues);
    const formPage = requiredString(m, 'form_page', 'metadata', issues);
    const sentAt = readInt(m, 'form_sent_at', 'metadata', issues, { min: 0 });
    if (!('form_sent_at' in m)) issues.blank('metadata.form_sent_at');
    const ip = readString(m, 'ip', 'metadata', issues);
    const referer = readString(m, 'referer', 'metadata', issues);
    if (formId && formName && formPage && typeof sentAt === 'number') {
      metadata = {
        form_id: formId,
        form_name: formName,
        form_page: formPage,
        form_sent_at: sentAt,
      };
      if (ip !== undefined) metadata.ip = ip;
      if (referer !== undefined) metadata.referer = referer;
    }
  }

  let lead: LeadInput | undefined;
  let contact: ContactInput | undefined;
  if (!('_embedded' in raw)) issues.blank('_embedded');
  else if (!isRecord(raw._embedded)) issues.type('_embedded', 'object');
  else {
    const e = raw._embedded;
    checkKeys(e, ['leads', 'contacts', 'companies'], '_embedded', issues);
    const leads = readArray(e, 'leads', '_embedded', issues);
    if (!leads || leads.length === 0) issues.blank('_embedded.leads');
    else if (leads.length > 1) issues.add('CountTooMany', '_embedded.leads', DETAIL.one);
    else {
      const path = '_embedded.leads.0';
      const item = leads[0];
      // The entry decides the stage: a lead of an incoming entry names none (assumed).
      if (isRecord(item)) {
        for (const key of ['status_id', 'pipeline_id']) {
          if (key in item) issues.choice(join(path, key));
        }
      }
      nested(issues, path, (inner) => {
        let rest: unknown = item;
        if (isRecord(item)) {
          const copy = { ...item };
          delete copy.status_id;
          delete copy.pipeline_id;
          rest = copy;
        }
        lead = validateLead(rest, 'create', store, inner, { fields });
      });
    }
    const contacts = readArray(e, 'contacts', '_embedded', issues);
    if (contacts && contacts.length > 1) {
      issues.add('CountTooMany', '_embedded.contacts', DETAIL.one);
    } else if (contacts?.[0] !== undefined) {
      nested(issues, '_embedded.contacts.0', (inner) => {
        contact = validateContact(contacts[0], 'create', store, inner);
      });
    }
    const companies = readArray(e, 'companies', '_embedded', issues);
    companies?.forEach((_c, i) => issues.choice(join('_embedded.companies', i)));
  }
  if (!sourceUid || !sourceName || !metadata || !lead) return undefined;
  return {
    sourceUid,
    sourceName,
    pipelineId: pipeline.id,
    createdAt,
    metadata,
    lead,
    contact,
  };
}
