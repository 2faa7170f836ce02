/**
 * Turns store changes into account-webhook items shaped like amoCRM's form payloads
 * (`leads[status][0][id]=…`). Items are built at the moment of the change, so a delayed or
 * retried delivery still describes the entity as it was then.
 */
import type { Change, ContactRecord, LeadRecord, NoteRecord, SandboxStore } from './store';
import type { CustomFieldValue } from './types';

/** One `key=value` of an item; the key is the path below `entity[action][i]`. */
export type ItemPair = [path: string[], value: string];

export interface WebhookEvent {
  /** the webhook setting that subscribes to it, e.g. `status_lead` */
  setting: string;
  entity: 'leads' | 'contacts' | 'unsorted';
  action: 'add' | 'update' | 'status' | 'responsible' | 'note' | 'delete' | 'restore';
  item: ItemPair[];
}

function customFieldPairs(fields: CustomFieldValue[]): ItemPair[] {
  const pairs: ItemPair[] = [];
  fields.forEach((f, i) => {
    const base = ['custom_fields', String(i)];
    pairs.push([[...base, 'id'], String(f.field_id)]);
    pairs.push([[...base, 'name'], f.field_name]);
    if (f.field_code !== null) pairs.push([[...base, 'code'], f.field_code]);
    f.values.forEach((v, j) => {
      const vb = [...base, 'values', String(j)];
      // amoCRM's date-field quirk: the timestamp sits at values[j] itself, with no [value] key.
      if (f.field_type === 'date') {
        pairs.push([vb, String(v.value)]);
        return;
      }
      pairs.push([[...vb, 'value'], String(v.value)]);
      if (v.enum_id !== undefined) pairs.push([[...vb, 'enum'], String(v.enum_id)]);
    });
  });
  return pairs;
}

function tagPairs(store: SandboxStore, tagIds: number[]): ItemPair[] {
  return store.tagsRead(tagIds).flatMap((t, i): ItemPair[] => [
    [['tags', String(i), 'id'], String(t.id)],
    [['tags', String(i), 'name'], t.name],
  ]);
}

function leadItem(
  store: SandboxStore,
  lead: LeadRecord,
  extra: { oldStatusId?: number; oldResponsibleUserId?: number; oldPipelineId?: number },
): ItemPair[] {
  const pairs: ItemPair[] = [
    [['id'], String(lead.id)],
    [['name'], lead.name],
    [['status_id'], String(lead.status_id)],
  ];
  if (extra.oldStatusId !== undefined) pairs.push([['old_status_id'], String(extra.oldStatusId)]);
  pairs.push(
    [['price'], lead.price_unset ? '' : String(lead.price)],
    [['responsible_user_id'], String(lead.responsible_user_id)],
  );
  if (extra.oldResponsibleUserId !== undefined) {
    pairs.push([['old_responsible_user_id'], String(extra.oldResponsibleUserId)]);
  }
  pairs.push(
    [['last_modified'], String(lead.updated_at)],
    [['modified_user_id'], String(lead.updated_by)],
    [['created_user_id'], String(lead.created_by)],
    [['date_create'], String(lead.created_at)],
    [['pipeline_id'], String(lead.pipeline_id)],
  );
  if (extra.oldPipelineId !== undefined) {
    pairs.push([['old_pipeline_id'], String(extra.oldPipelineId)]);
  }
  pairs.push(
    ...tagPairs(store, lead.tag_ids),
    [['account_id'], String(store.accountId)],
    ...customFieldPairs(lead.custom_fields_values),
    [['created_at'], String(lead.created_at)],
    [['updated_at'], String(lead.updated_at)],
  );
  return pairs;
}

function contactItem(store: SandboxStore, contact: ContactRecord): ItemPair[] {
  const pairs: ItemPair[] = [
    [['id'], String(contact.id)],
    [['name'], contact.name],
    [['responsible_user_id'], String(contact.responsible_user_id)],
    [['date_create'], String(contact.created_at)],
    [['last_modified'], String(contact.updated_at)],
    [['created_user_id'], String(contact.created_by)],
    [['modified_user_id'], String(contact.updated_by)],
    [['account_id'], String(store.accountId)],
    ...customFieldPairs(contact.custom_fields_values),
    ...tagPairs(store, contact.tag_ids),
  ];
  for (const link of store.leadLinksOf(contact.id)) {
    pairs.push([['linked_leads_id', String(link.leadId), 'ID'], String(link.leadId)]);
  }
  pairs.push(
    [['created_at'], String(contact.created_at)],
    [['updated_at'], String(contact.updated_at)],
    [['type'], 'contact'],
  );
  return pairs;
}

/** Notes carry account-local date strings rather than timestamps (Moscow time for this account). */
function moscowDate(sec: number): string {
  return new Date((sec + 3 * 3600) * 1000).toISOString().slice(0, 19).replace('T', ' ');
}

function noteItem(store: SandboxStore, note: NoteRecord): ItemPair[] {
  const n = (key: string, value: string): ItemPair => [['note', key], value];
  return [
    n('id', String(note.id)),
    n('text', note.text),
    // amoCRM's numeric type code for a common note, and its element type for leads.
    n('note_type', '4'),
    n('element_id', String(note.entity_id)),
    n('element_type', '2'),
    n('date_create', moscowDate(note.created_at)),
    n('last_modified', moscowDate(note.updated_at)),
    n('created_by', String(note.created_by)),
    n('modified_by', String(note.updated_by)),
    n('responsible_user_id', String(note.responsible_user_id)),
    n('account_id', String(store.accountId)),
  ];
}

function leadChanged(before: LeadRecord, after: LeadRecord): boolean {
  const strip = (l: LeadRecord) => ({ ...l, updated_at: 0, updated_by: 0 });
  return JSON.stringify(strip(before)) !== JSON.stringify(strip(after));
}

function contactChanged(before: ContactRecord, after: ContactRecord): boolean {
  const strip = (c: ContactRecord) => ({ ...c, updated_at: 0, updated_by: 0 });
  return JSON.stringify(strip(before)) !== JSON.stringify(strip(after));
}

/**
 * A status change is also an update, so it produces both `leads[status]` and `leads[update]`;
 * a destination subscribed to both receives them in the same POST.
 */
export function eventsFor(change: Change, store: SandboxStore): WebhookEvent[] {
  switch (change.kind) {
    case 'lead_added':
      return [
        {
          setting: 'add_lead',
          entity: 'leads',
          action: 'add',
          item: leadItem(store, change.lead, {}),
        },
      ];
    case 'lead_updated': {
      const { before, after } = change;
      if (!leadChanged(before, after)) return [];
      const events: WebhookEvent[] = [];
      const oldStatusId = before.status_id;
      // Sent only when the pipeline changed (assumed: amoCRM's examples never show a move).
      const oldPipelineId =
        before.pipeline_id !== after.pipeline_id ? before.pipeline_id : undefined;
      const base = leadItem(store, after, { oldStatusId, oldPipelineId });
      events.push({ setting: 'update_lead', entity: 'leads', action: 'update', item: base });
      if (before.status_id !== after.status_id || before.pipeline_id !== after.pipeline_id) {
        events.push({ setting: 'status_lead', entity: 'leads', action: 'status', item: base });
      }
      if (before.responsible_user_id !== after.responsible_user_id) {
        events.push({
          setting: 'responsible_lead',
          entity: 'leads',
          action: 'responsible',
          item: leadItem(store, after, { oldResponsibleUserId: before.responsible_user_id }),
        });
      }
      return events;
    }
    case 'contact_added':
      return [
        {
          setting: 'add_contact',
          entity: 'contacts',
          action: 'add',
          item: contactItem(store, change.contact),
        },
      ];
    case 'contact_updated':
      if (!contactChanged(change.before, change.after)) return [];
      return [
        {
          setting: 'update_contact',
          entity: 'contacts',
          action: 'update',
          item: contactItem(store, change.after),
        },
      ];
    case 'note_added':
      return [
        {
          setting: 'note_lead',
          entity: 'leads',
          action: 'note',
          item: noteItem(store, change.note),
        },
      ];
    case 'lead_deleted': {
      // Kommo's example of a delete carries the id with the lead's last status and pipeline.
      const { lead } = change;
      const item: ItemPair[] = [
        [['id'], String(lead.id)],
        [['status_id'], String(lead.status_id)],
        [['pipeline_id'], String(lead.pipeline_id)],
      ];
      return [{ setting: 'delete_lead', entity: 'leads', action: 'delete', item }];
    }
    case 'lead_restored':
      return [
        {
          setting: 'restore_lead',
          entity: 'leads',
          action: 'restore',
          item: leadItem(store, change.lead, {}),
        },
      ];
    case 'contact_deleted':
      return [
        {
          setting: 'delete_contact',
          entity: 'contacts',
          action: 'delete',
          item: [
            [['id'], String(change.contact.id)],
            [['type'], 'contact'],
          ],
        },
      ];
  }
}

/** How the `account[...]` block of a body looks: today's, or the old subdomain-only one. */
export type AccountBlock = 'full' | 'subdomain-only';

/**
 * A Digital Pipeline "send webhook" hook for a stage change: the minimal fields only, no
 * timestamps, and the account block first, as in the captured payload (amocrm-api.md §10.6).
 */
export function digitalPipelineBody(
  lead: { id: number; status_id: number; pipeline_id: number },
  old: { statusId: number; pipelineId: number },
  account: { subdomain: string; id: number },
): string {
  const params = new URLSearchParams();
  params.append('account[id]', String(account.id));
  params.append('account[subdomain]', account.subdomain);
  params.append('leads[status][0][id]', String(lead.id));
  params.append('leads[status][0][status_id]', String(lead.status_id));
  params.append('leads[status][0][pipeline_id]', String(lead.pipeline_id));
  params.append('leads[status][0][old_status_id]', String(old.statusId));
  params.append('leads[status][0][old_pipeline_id]', String(old.pipelineId));
  return params.toString();
}

/**
 * PHP-style form encoding as amoCRM sends it: groups `entity[action][i][...]` in first-seen
 * order, then the `account[...]` block.
 */
export function encodeWebhookBody(
  events: WebhookEvent[],
  account: { subdomain: string; id: number; selfUrl: string; block?: AccountBlock },
): string {
  const groups = new Map<string, ItemPair[][]>();
  for (const e of events) {
    const key = `${e.entity}[${e.action}]`;
    const list = groups.get(key) ?? [];
    list.push(e.item);
    groups.set(key, list);
  }
  const params = new URLSearchParams();
  for (const [prefix, items] of groups) {
    items.forEach((item, i) => {
      for (const [path, value] of item) {
        params.append(`${prefix}[${i}]${path.map((p) => `[${p}]`).join('')}`, value);
      }
    });
  }
  params.append('account[subdomain]', account.subdomain);
  if (account.block === 'subdomain-only') return params.toString();
  params.append('account[id]', String(account.id));
  params.append('account[_links][self]', account.selfUrl);
  return params.toString();
}
