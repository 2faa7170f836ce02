/** Contacts: create and update, also the new contact embedded in a complex create. */
import { CONTACT_FIELDS } from '../fixtures';
import { isRecord } from '../http';
import type { ContactWrite, SandboxStore } from '../store';
import {
  checkKeys,
  join,
  readArray,
  readInt,
  readName,
  readTags,
  readTimestamps,
  readUser,
  type Issues,
} from './common';
import { readCustomFields } from './custom-fields';

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
  const name = readName(raw, 'name', base, issues);
  if (name !== undefined) out.name = name;
  const first = readName(raw, 'first_name', base, issues);
  if (first !== undefined) out.firstName = first;
  const last = readName(raw, 'last_name', base, issues);
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
