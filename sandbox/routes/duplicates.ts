/**
 * amoCRM's duplicate control on complex create (Kommo complex-leads reference): when it is on,
 * a new contact whose phone or e-mail matches a contact of an open lead in the same pipeline is
 * not created; the request merges into that lead. Only existing leads are compared, never items
 * of the same request. Phones compare by their last ten digits (assumed).
 */
import { LOST_STATUS_ID, SANDBOX_FIXTURES, WON_STATUS_ID } from '../fixtures';
import type { ContactRecord, ContactWrite, LeadRecord, SandboxStore } from '../store';

const F = SANDBOX_FIXTURES.contactFields;

function phoneKey(value: string): string {
  return value.replace(/\D/g, '').slice(-10);
}

function keysOfWrite(w: ContactWrite): string[] {
  return (w.customFields ?? []).flatMap((p) => {
    if (p.field.id === F.phone.id)
      return (p.values ?? []).map((v) => `p:${phoneKey(String(v.value))}`);
    if (p.field.id === F.email.id) {
      return (p.values ?? []).map((v) => `e:${String(v.value).trim().toLowerCase()}`);
    }
    return [];
  });
}

function keysOfContact(c: ContactRecord): string[] {
  return c.custom_fields_values.flatMap((f) => {
    if (f.field_id === F.phone.id) return f.values.map((v) => `p:${phoneKey(String(v.value))}`);
    if (f.field_id === F.email.id)
      return f.values.map((v) => `e:${String(v.value).trim().toLowerCase()}`);
    return [];
  });
}

function isOpen(lead: LeadRecord): boolean {
  return lead.status_id !== WON_STATUS_ID && lead.status_id !== LOST_STATUS_ID;
}

/** The open lead (lowest id) among `candidates` in `pipelineId` whose contact shares a phone or e-mail with `w`. */
export function findDuplicate(
  store: SandboxStore,
  w: ContactWrite,
  pipelineId: number,
  candidates: Set<number>,
): { lead: LeadRecord; contactId: number } | undefined {
  const wanted = new Set(keysOfWrite(w).filter((k) => k !== 'p:' && k !== 'e:'));
  if (wanted.size === 0) return undefined;
  const leads = [...store.leads.values()].sort((a, b) => a.id - b.id);
  for (const lead of leads) {
    if (!candidates.has(lead.id) || lead.pipeline_id !== pipelineId || !isOpen(lead)) continue;
    for (const link of store.contactLinksOf(lead.id)) {
      const contact = store.contacts.get(link.contactId);
      if (contact && keysOfContact(contact).some((k) => wanted.has(k))) {
        return { lead, contactId: contact.id };
      }
    }
  }
  return undefined;
}
