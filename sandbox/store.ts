/**
 * The sandbox account's data, in memory. Writes arrive already validated (see validation.ts);
 * every write reports a change so the webhook sender can describe it as amoCRM would.
 */
import { LOST_STATUS_ID, WON_STATUS_ID, type FieldDef } from './fixtures';
import type {
  CustomFieldValue,
  CustomFieldValueItem,
  SandboxContact,
  SandboxLead,
  SandboxLink,
  SandboxNote,
  SandboxTag,
} from './types';

export interface LeadRecord {
  id: number;
  name: string;
  price: number;
  /** a lead whose price was never set reads as 0 but goes out in webhooks as `price=` */
  price_unset?: boolean;
  responsible_user_id: number;
  status_id: number;
  pipeline_id: number;
  loss_reason_id: number | null;
  created_by: number;
  updated_by: number;
  created_at: number;
  updated_at: number;
  closed_at: number | null;
  custom_fields_values: CustomFieldValue[];
  tag_ids: number[];
}

export interface ContactRecord {
  id: number;
  name: string;
  first_name: string;
  last_name: string;
  responsible_user_id: number;
  created_by: number;
  updated_by: number;
  created_at: number;
  updated_at: number;
  custom_fields_values: CustomFieldValue[];
  tag_ids: number[];
}

export interface NoteRecord {
  id: number;
  entity_id: number;
  note_type: string;
  text: string;
  created_by: number;
  updated_by: number;
  responsible_user_id: number;
  created_at: number;
  updated_at: number;
}

export interface LinkRecord {
  leadId: number;
  contactId: number;
  main: boolean;
}

export type TagRef = { id: number } | { name: string };

export interface CustomFieldPatch {
  field: FieldDef;
  /** null clears the field */
  values: CustomFieldValueItem[] | null;
}

interface CommonWrite {
  responsibleUserId?: number;
  createdBy?: number;
  updatedBy?: number;
  createdAt?: number;
  updatedAt?: number;
  customFields?: CustomFieldPatch[];
  tags?: TagRef[];
  tagsToAdd?: TagRef[];
  tagsToDelete?: TagRef[];
}

export interface LeadWrite extends CommonWrite {
  name?: string;
  price?: number;
  /** resolved by validation: always set together with pipelineId when either changes */
  statusId?: number;
  pipelineId?: number;
  closedAt?: number | null;
  lossReasonId?: number | null;
  contacts?: { id: number; isMain: boolean }[];
}

export interface ContactWrite extends CommonWrite {
  name?: string;
  firstName?: string;
  lastName?: string;
}

export type Change =
  | { kind: 'lead_added'; lead: LeadRecord }
  | { kind: 'lead_updated'; before: LeadRecord; after: LeadRecord }
  | { kind: 'contact_added'; contact: ContactRecord }
  | { kind: 'contact_updated'; before: ContactRecord; after: ContactRecord }
  | { kind: 'note_added'; note: NoteRecord }
  | { kind: 'lead_deleted'; lead: LeadRecord }
  | { kind: 'lead_restored'; lead: LeadRecord }
  | { kind: 'contact_deleted'; contact: ContactRecord };

function clone<T>(value: T): T {
  return structuredClone(value);
}

function isClosed(statusId: number): boolean {
  return statusId === WON_STATUS_ID || statusId === LOST_STATUS_ID;
}

export function nowSec(): number {
  return Math.floor(Date.now() / 1000);
}

export class SandboxStore {
  readonly leads = new Map<number, LeadRecord>();
  readonly contacts = new Map<number, ContactRecord>();
  readonly notes = new Map<number, NoteRecord>();
  readonly links: LinkRecord[] = [];
  readonly tags = new Map<number, { id: number; name: string }>();
  /** Leads a manager deleted, kept for a restore. */
  readonly deletedLeads = new Map<number, LeadRecord>();
  /** request_id of the complex create that made a lead, named again when a duplicate merges into it. */
  readonly complexRequestIds = new Map<number, string>();
  /** next id of each kind; public so a saved state can carry them across a restart */
  readonly ids = { lead: 20000001, contact: 30000001, note: 40000001, tag: 60000001 };

  constructor(
    readonly accountId: number,
    private readonly baseUrl: string,
  ) {}

  // ---- writes ----

  addLead(w: LeadWrite, actor: number, defaults: { statusId: number; pipelineId: number }): Change {
    const now = nowSec();
    const statusId = w.statusId ?? defaults.statusId;
    const rec: LeadRecord = {
      id: this.ids.lead++,
      name: w.name ?? '',
      price: w.price ?? 0,
      responsible_user_id: w.responsibleUserId ?? actor,
      status_id: statusId,
      pipeline_id: w.pipelineId ?? defaults.pipelineId,
      loss_reason_id: w.lossReasonId ?? null,
      created_by: w.createdBy ?? actor,
      updated_by: w.updatedBy ?? actor,
      created_at: w.createdAt ?? now,
      updated_at: w.updatedAt ?? w.createdAt ?? now,
      closed_at: w.closedAt !== undefined ? w.closedAt : isClosed(statusId) ? now : null,
      custom_fields_values: [],
      tag_ids: [],
    };
    this.applyCustomFields(rec, w.customFields);
    this.applyTags(rec, w);
    this.leads.set(rec.id, rec);
    for (const c of w.contacts ?? []) this.link(rec.id, c.id, c.isMain);
    return { kind: 'lead_added', lead: clone(rec) };
  }

  updateLead(rec: LeadRecord, w: LeadWrite, actor: number): Change {
    const before = clone(rec);
    const now = nowSec();
    if (w.name !== undefined) rec.name = w.name;
    if (w.price !== undefined) {
      rec.price = w.price;
      delete rec.price_unset;
    }
    if (w.responsibleUserId !== undefined) rec.responsible_user_id = w.responsibleUserId;
    if (w.pipelineId !== undefined) rec.pipeline_id = w.pipelineId;
    if (w.statusId !== undefined && w.statusId !== rec.status_id) {
      rec.status_id = w.statusId;
      if (isClosed(w.statusId) && !isClosed(before.status_id)) rec.closed_at = now;
      if (!isClosed(w.statusId)) rec.closed_at = null;
    }
    if (w.closedAt !== undefined) rec.closed_at = w.closedAt;
    if (w.lossReasonId !== undefined) rec.loss_reason_id = w.lossReasonId;
    if (w.createdBy !== undefined) rec.created_by = w.createdBy;
    if (w.createdAt !== undefined) rec.created_at = w.createdAt;
    this.applyCustomFields(rec, w.customFields);
    this.applyTags(rec, w);
    rec.updated_by = w.updatedBy ?? actor;
    rec.updated_at = w.updatedAt ?? now;
    return { kind: 'lead_updated', before, after: clone(rec) };
  }

  addContact(w: ContactWrite, actor: number): Change {
    const now = nowSec();
    const first = w.firstName ?? '';
    const last = w.lastName ?? '';
    const rec: ContactRecord = {
      id: this.ids.contact++,
      name: w.name ?? [first, last].filter((s) => s !== '').join(' '),
      first_name: first,
      last_name: last,
      responsible_user_id: w.responsibleUserId ?? actor,
      created_by: w.createdBy ?? actor,
      updated_by: w.updatedBy ?? actor,
      created_at: w.createdAt ?? now,
      updated_at: w.updatedAt ?? w.createdAt ?? now,
      custom_fields_values: [],
      tag_ids: [],
    };
    this.applyCustomFields(rec, w.customFields);
    this.applyTags(rec, w);
    this.contacts.set(rec.id, rec);
    return { kind: 'contact_added', contact: clone(rec) };
  }

  updateContact(rec: ContactRecord, w: ContactWrite, actor: number): Change {
    const before = clone(rec);
    if (w.firstName !== undefined) rec.first_name = w.firstName;
    if (w.lastName !== undefined) rec.last_name = w.lastName;
    if (w.name !== undefined) rec.name = w.name;
    else if (w.firstName !== undefined || w.lastName !== undefined) {
      rec.name = [rec.first_name, rec.last_name].filter((s) => s !== '').join(' ');
    }
    if (w.responsibleUserId !== undefined) rec.responsible_user_id = w.responsibleUserId;
    if (w.createdBy !== undefined) rec.created_by = w.createdBy;
    if (w.createdAt !== undefined) rec.created_at = w.createdAt;
    this.applyCustomFields(rec, w.customFields);
    this.applyTags(rec, w);
    rec.updated_by = w.updatedBy ?? actor;
    rec.updated_at = w.updatedAt ?? nowSec();
    return { kind: 'contact_updated', before, after: clone(rec) };
  }

  addNote(
    leadId: number,
    input: { noteType: string; text: string; createdBy?: number; responsibleUserId?: number },
    actor: number,
  ): { note: NoteRecord; change: Change } {
    const now = nowSec();
    const note: NoteRecord = {
      id: this.ids.note++,
      entity_id: leadId,
      note_type: input.noteType,
      text: input.text,
      created_by: input.createdBy ?? actor,
      updated_by: input.createdBy ?? actor,
      responsible_user_id: input.responsibleUserId ?? actor,
      created_at: now,
      updated_at: now,
    };
    this.notes.set(note.id, note);
    return { note, change: { kind: 'note_added', note: clone(note) } };
  }

  /** A lead has at most one main contact; its first contact is main unless told otherwise. */
  link(leadId: number, contactId: number, main?: boolean): LinkRecord {
    const leadLinks = this.links.filter((l) => l.leadId === leadId);
    let link = leadLinks.find((l) => l.contactId === contactId);
    if (!link) {
      link = { leadId, contactId, main: false };
      this.links.push(link);
    }
    const makeMain = main ?? !leadLinks.some((l) => l.main && l !== link);
    if (makeMain) {
      for (const l of leadLinks) l.main = false;
      link.main = true;
    } else if (main === false) {
      link.main = false;
    }
    return link;
  }

  unlink(leadId: number, contactId: number): boolean {
    const i = this.links.findIndex((l) => l.leadId === leadId && l.contactId === contactId);
    if (i < 0) return false;
    this.links.splice(i, 1);
    return true;
  }

  tagExists(id: number): boolean {
    return this.tags.has(id);
  }

  private tagIdFor(ref: TagRef): number {
    if ('id' in ref) return ref.id;
    const name = ref.name.trim();
    for (const tag of this.tags.values()) {
      if (tag.name.toLowerCase() === name.toLowerCase()) return tag.id;
    }
    const id = this.ids.tag++;
    this.tags.set(id, { id, name });
    return id;
  }

  private applyTags(rec: { tag_ids: number[] }, w: CommonWrite): void {
    if (w.tags) rec.tag_ids = [...new Set(w.tags.map((t) => this.tagIdFor(t)))];
    for (const t of w.tagsToAdd ?? []) {
      const id = this.tagIdFor(t);
      if (!rec.tag_ids.includes(id)) rec.tag_ids.push(id);
    }
    for (const t of w.tagsToDelete ?? []) {
      const id = this.tagIdFor(t);
      rec.tag_ids = rec.tag_ids.filter((x) => x !== id);
    }
  }

  private applyCustomFields(
    rec: { custom_fields_values: CustomFieldValue[] },
    patches: CustomFieldPatch[] | undefined,
  ): void {
    for (const { field, values } of patches ?? []) {
      const kept = rec.custom_fields_values.filter((v) => v.field_id !== field.id);
      if (values !== null) {
        kept.push({
          field_id: field.id,
          field_name: field.name,
          field_code: field.code,
          field_type: field.type,
          values,
        });
      }
      rec.custom_fields_values = kept;
    }
  }

  // ---- reads ----

  contactLinksOf(leadId: number): LinkRecord[] {
    return this.links.filter((l) => l.leadId === leadId);
  }

  leadLinksOf(contactId: number): LinkRecord[] {
    return this.links.filter((l) => l.contactId === contactId);
  }

  href(path: string): { href: string } {
    return { href: `${this.baseUrl}${path}` };
  }

  tagsRead(ids: number[]): SandboxTag[] {
    return ids.flatMap((id) => {
      const tag = this.tags.get(id);
      return tag ? [{ id: tag.id, name: tag.name, color: null }] : [];
    });
  }

  leadRead(rec: LeadRecord, withContacts: boolean): SandboxLead {
    const lead: SandboxLead = {
      id: rec.id,
      name: rec.name,
      price: rec.price,
      responsible_user_id: rec.responsible_user_id,
      group_id: 0,
      status_id: rec.status_id,
      pipeline_id: rec.pipeline_id,
      loss_reason_id: rec.loss_reason_id,
      created_by: rec.created_by,
      updated_by: rec.updated_by,
      created_at: rec.created_at,
      updated_at: rec.updated_at,
      closed_at: rec.closed_at,
      closest_task_at: null,
      is_deleted: false,
      custom_fields_values:
        rec.custom_fields_values.length > 0 ? clone(rec.custom_fields_values) : null,
      score: null,
      account_id: this.accountId,
      labor_cost: null,
      is_price_modified_by_robot: false,
      _links: { self: this.href(`/api/v4/leads/${rec.id}`) },
      _embedded: { tags: this.tagsRead(rec.tag_ids), companies: [] },
    };
    if (withContacts) {
      lead._embedded.contacts = this.contactLinksOf(rec.id).map((l) => ({
        id: l.contactId,
        is_main: l.main,
        _links: { self: this.href(`/api/v4/contacts/${l.contactId}`) },
      }));
    }
    return lead;
  }

  contactRead(rec: ContactRecord, withLeads: boolean): SandboxContact {
    const contact: SandboxContact = {
      id: rec.id,
      name: rec.name,
      first_name: rec.first_name,
      last_name: rec.last_name,
      responsible_user_id: rec.responsible_user_id,
      group_id: 0,
      created_by: rec.created_by,
      updated_by: rec.updated_by,
      created_at: rec.created_at,
      updated_at: rec.updated_at,
      closest_task_at: null,
      is_deleted: false,
      is_unsorted: false,
      custom_fields_values:
        rec.custom_fields_values.length > 0 ? clone(rec.custom_fields_values) : null,
      account_id: this.accountId,
      _links: { self: this.href(`/api/v4/contacts/${rec.id}`) },
      _embedded: { tags: this.tagsRead(rec.tag_ids), companies: [] },
    };
    if (withLeads) {
      contact._embedded.leads = this.leadLinksOf(rec.id).map((l) => ({
        id: l.leadId,
        _links: { self: this.href(`/api/v4/leads/${l.leadId}`) },
      }));
    }
    return contact;
  }

  noteRead(rec: NoteRecord): SandboxNote {
    return {
      id: rec.id,
      entity_id: rec.entity_id,
      created_by: rec.created_by,
      updated_by: rec.updated_by,
      created_at: rec.created_at,
      updated_at: rec.updated_at,
      responsible_user_id: rec.responsible_user_id,
      group_id: 0,
      note_type: rec.note_type,
      params: { text: rec.text },
      account_id: this.accountId,
      _links: { self: this.href(`/api/v4/leads/${rec.entity_id}/notes/${rec.id}`) },
    };
  }

  linkRead(link: LinkRecord): SandboxLink {
    return {
      entity_id: link.leadId,
      entity_type: 'leads',
      to_entity_id: link.contactId,
      to_entity_type: 'contacts',
      metadata: { main_contact: link.main },
    };
  }
}

/** Case-insensitive substring over the strings amoCRM's full-text `query` would see. */
export function matchesQuery(
  query: string,
  texts: (string | number)[],
  fields: CustomFieldValue[],
): boolean {
  const q = query.toLowerCase();
  const haystack = [
    ...texts.map(String),
    ...fields.flatMap((f) => f.values.map((v) => String(v.value))),
  ];
  return haystack.some((s) => s.toLowerCase().includes(q));
}
