import { createHash } from 'node:crypto';
import { ContactMethod, ContactTime, LeadStatus } from '../../leads/lead.enums';
import { EffectiveMapping, statusForStage } from '../mapping/amo-mapping';
import { WebhookItem, WebhookNode } from './webhook-body.parser';

const DIGITS = /^\d{1,15}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const OUR_NAME = /^Lead #(\d{1,9}) - /;

export function textOf(item: WebhookItem, key: string): string | undefined {
  const v = item[key];
  return typeof v === 'string' ? v : undefined;
}

export function intOf(item: WebhookItem, key: string): number | undefined {
  const v = textOf(item, key)?.trim();
  return v !== undefined && DIGITS.test(v) ? Number(v) : undefined;
}

function branch(node: WebhookNode | undefined): WebhookItem | undefined {
  return typeof node === 'object' && node !== null ? node : undefined;
}

/**
 * amoCRM's `updated_at`, else `last_modified` (older payloads), as unix seconds. Notes and tasks
 * carry date strings there instead; those give no usable order and count as absent.
 */
export function itemTimestamp(item: WebhookItem): number | null {
  return intOf(item, 'updated_at') ?? intOf(item, 'last_modified') ?? null;
}

/** The entity id: `id`, or `note[id]` for note events. */
export function itemId(item: WebhookItem): number | null {
  const nested = branch(item.note);
  return intOf(item, 'id') ?? (nested ? intOf(nested, 'id') : undefined) ?? null;
}

/**
 * NUL and unpaired surrogates: PostgreSQL cannot hold them in text or jsonb, and refusing the
 * body would lose every other item in it on every retry. They are replaced by U+FFFD, the
 * character that marks an unreadable one, so the rest of the value is kept and the spot stays
 * visible.
 */
// eslint-disable-next-line no-control-regex -- NUL is what is replaced
const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

export function storableText(value: string): string {
  return value.replace(UNSTORABLE, '\uFFFD');
}

/** The item with every value storable (see `storableText`); keys are checked ASCII already. */
export function storableItem(item: WebhookItem): WebhookItem {
  const out: WebhookItem = {};
  for (const [key, node] of Object.entries(item)) {
    out[key] = typeof node === 'string' ? storableText(node) : storableItem(node);
  }
  return out;
}

function canonical(node: WebhookNode): unknown {
  if (typeof node === 'string') return node;
  return Object.keys(node)
    .sort()
    .map((k) => [k, canonical(node[k])]);
}

/** Digest of one item's entity, action and content: a repeated delivery has the same one. */
export function contentHash(entity: string, action: string, item: WebhookItem): string {
  return createHash('sha256')
    .update(JSON.stringify([entity, action, canonical(item)]))
    .digest('hex');
}

/**
 * Identifies one change of one entity: a retry or a repeated delivery of it gets the same key.
 * Items without a timestamp (Digital Pipeline hooks, deletes) add the previous stage, so a later
 * move of the same lead is still a different event; items without an id are keyed by content.
 */
export function dedupeKey(
  accountId: number,
  entity: string,
  action: string,
  item: WebhookItem,
): string {
  const id = itemId(item);
  const ts = itemTimestamp(item);
  const part = (key: string) => String(intOf(item, key) ?? '-');
  if (id === null) {
    const digest = createHash('sha256').update(JSON.stringify(item)).digest('hex').slice(0, 40);
    return `${accountId}:${entity}:${action}:h${digest}`;
  }
  const base = `${accountId}:${entity}:${action}:${id}:${ts ?? '-'}:${part('status_id')}:${part('pipeline_id')}`;
  return ts === null ? `${base}:${part('old_status_id')}:${part('old_pipeline_id')}` : base;
}

export interface CustomFieldValue {
  value: string | null;
  enumId: number | null;
}

/**
 * Values of one lead custom field. Date fields put the timestamp straight at `values[j]`
 * instead of `values[j][value]`; both shapes are read.
 */
export function customFieldValues(item: WebhookItem, fieldId: number): CustomFieldValue[] {
  const fields = branch(item.custom_fields);
  if (!fields) return [];
  for (const node of Object.values(fields)) {
    const field = branch(node);
    if (!field || intOf(field, 'id') !== fieldId) continue;
    const values = branch(field.values);
    if (!values) return [];
    return Object.values(values).map((v): CustomFieldValue => {
      if (typeof v === 'string') return { value: v, enumId: null };
      return { value: textOf(v, 'value') ?? null, enumId: intOf(v, 'enum') ?? null };
    });
  }
  return [];
}

/** Is this amoCRM lead one we created? By our marker field, else by our naming pattern. */
export function ourLeadMarker(
  item: WebhookItem,
  mapping: EffectiveMapping,
): { leadId: string } | { number: number } | null {
  const field = mapping.fields.ourLeadId;
  if (field) {
    const value = customFieldValues(item, field)[0]?.value?.trim();
    if (value && UUID.test(value)) return { leadId: value.toLowerCase() };
  }
  const match = OUR_NAME.exec(textOf(item, 'name') ?? '');
  return match ? { number: Number(match[1]) } : null;
}

/** A usable guest name from an amoCRM lead name: one line, at most 200 characters. */
export function guestNameFrom(name: string | undefined, amoId: number): string {
  // eslint-disable-next-line no-control-regex -- control characters are what is removed
  const clean = (name ?? '').replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
  return clean ? clean.slice(0, 200).trim() : `amoCRM lead ${amoId}`;
}

/** Older or equal to what was applied = nothing to do; an event without a time is taken as current. */
export function isStale(eventTs: number | null, appliedTs: number | null): boolean {
  return eventTs !== null && appliedTs !== null && eventTs <= appliedTs;
}

function reverseEnum<K extends string>(
  item: WebhookItem,
  mapping: { id: number; enums: Partial<Record<K, number>> } | undefined,
): K | undefined {
  if (!mapping) return undefined;
  const values = customFieldValues(item, mapping.id);
  if (!values.length) return undefined;
  const enumId = values[0].enumId;
  const found = (Object.entries(mapping.enums) as [K, number][]).find(([, id]) => id === enumId);
  return found?.[0];
}

export interface LeadChanges {
  status?: LeadStatus;
  contactMethod?: ContactMethod;
  contactTime?: ContactTime;
  /** Set when the stage is not mapped: recorded, the local status is kept. */
  unmappedStage?: UnmappedStage;
}

export interface UnmappedStage {
  pipelineId: number | null;
  statusId: number;
}

export function describeStage(stage: UnmappedStage): string {
  return `stage ${stage.statusId} of pipeline ${stage.pipelineId ?? '?'} is not mapped`;
}

export function nameStage(stage: UnmappedStage): string {
  return `stage ${stage.statusId} of pipeline ${stage.pipelineId ?? '?'}, which is not mapped`;
}

/**
 * What an amoCRM lead item changes here: the status through the stage mapping, and contact
 * method and time when their select fields are mapped. Name and price stay amoCRM's own.
 */
export function leadChangesFrom(item: WebhookItem, mapping: EffectiveMapping): LeadChanges {
  const changes: LeadChanges = {};
  const statusId = intOf(item, 'status_id');
  if (statusId !== undefined) {
    const pipelineId = intOf(item, 'pipeline_id') ?? null;
    const status = statusForStage(mapping, pipelineId ?? 0, statusId);
    if (status) changes.status = status;
    else changes.unmappedStage = { pipelineId, statusId };
  }
  const method = reverseEnum<ContactMethod>(item, mapping.fields.contactMethod);
  if (method) changes.contactMethod = method;
  const time = reverseEnum<ContactTime>(item, mapping.fields.contactTime);
  if (time) changes.contactTime = time;
  return changes;
}
