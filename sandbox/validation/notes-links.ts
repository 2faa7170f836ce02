/** Notes on leads and lead ↔ contact links. */
import { isRecord } from '../http';
import type { SandboxStore } from '../store';
import { checkKeys, join, readInt, readString, readUser, type Issues } from './common';

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
