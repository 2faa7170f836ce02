/**
 * What a manager does beyond editing: delete and restore a lead, delete a contact, merge two
 * contacts (amoCRM's "duplicates" screen), move a lead through a Digital Pipeline stage that
 * sends its own hook. The integration's stored ids go stale under it; that is the point.
 */
import { SANDBOX_FIXTURES, type FieldDef } from './fixtures';
import { SandboxError, type ManagerActions } from './manager-actions';
import type { Change, ContactRecord, CustomFieldPatch, SandboxStore } from './store';
import type { CustomFieldValueItem, SandboxContact, SandboxLead } from './types';
import { CONTACT_FIELDS } from './fixtures';
import { digitalPipelineBody } from './webhook-events';
import type { WebhookSender } from './webhooks';

const MANAGER = SANDBOX_FIXTURES.users.manager;

export interface DigitalPipelineDeps {
  manager: ManagerActions;
  sender: WebhookSender;
  account: { subdomain: string; id: number };
}

export class ManagerContacts {
  constructor(
    private readonly store: SandboxStore,
    private readonly emit: (changes: Change[]) => void,
    private readonly dp: DigitalPipelineDeps,
  ) {}

  /**
   * A manager moves a lead into a stage whose Digital Pipeline automation sends a webhook: the
   * usual account webhooks, plus one minimal hook to `destination` (default: every registered
   * webhook destination), sent once. Resolves when that hook was answered.
   */
  async digitalPipelineMove(
    id: number,
    to: { statusId: number; pipelineId?: number },
    destination?: string,
  ): Promise<SandboxLead> {
    const before = this.store.leads.get(id);
    const old = before ? { statusId: before.status_id, pipelineId: before.pipeline_id } : undefined;
    const lead = this.dp.manager.moveLead(id, to);
    if (!old) return lead;
    const body = digitalPipelineBody(lead, old, this.dp.account);
    const targets = destination ? [destination] : this.dp.sender.list().map((h) => h.destination);
    await this.dp.sender.sendOnce(targets, body);
    return lead;
  }

  private contact(id: number): ContactRecord {
    const c = this.store.contacts.get(id);
    if (!c) throw new SandboxError(404, `contact ${id} not found`);
    return c;
  }

  /** The lead leaves every list and GET answers 204; its contact links are dropped (assumed). */
  deleteLead(id: number): void {
    const lead = this.store.leads.get(id);
    if (!lead) throw new SandboxError(404, `lead ${id} not found`);
    this.store.leads.delete(id);
    this.store.deletedLeads.set(id, lead);
    this.dropLinks((l) => l.leadId === id);
    this.emit([{ kind: 'lead_deleted', lead: structuredClone(lead) }]);
  }

  restoreLead(id: number): SandboxLead {
    const lead = this.store.deletedLeads.get(id);
    if (!lead) throw new SandboxError(404, `no deleted lead ${id}`);
    this.store.deletedLeads.delete(id);
    lead.updated_at = Math.max(lead.updated_at, Math.floor(Date.now() / 1000));
    lead.updated_by = MANAGER;
    this.store.leads.set(id, lead);
    this.emit([{ kind: 'lead_restored', lead: structuredClone(lead) }]);
    return this.store.leadRead(lead, true);
  }

  /** The contact id stops existing; its leads lose the link. */
  deleteContact(id: number): void {
    const contact = this.contact(id);
    this.store.contacts.delete(id);
    this.dropLinks((l) => l.contactId === id);
    this.emit([{ kind: 'contact_deleted', contact: structuredClone(contact) }]);
  }

  /**
   * `loseId` is folded into `keepId`: its phones and e-mails are added, its leads are linked to
   * the kept contact, and its id stops existing.
   */
  mergeContacts(keepId: number, loseId: number): SandboxContact {
    if (keepId === loseId) throw new SandboxError(400, 'cannot merge a contact into itself');
    const keep = this.contact(keepId);
    const lose = this.contact(loseId);
    const patches: CustomFieldPatch[] = [];
    for (const field of CONTACT_FIELDS.filter((f) => f.type === 'multitext')) {
      const merged = mergeValues(field, keep, lose);
      if (merged) patches.push({ field, values: merged });
    }
    for (const link of this.store.leadLinksOf(loseId)) {
      const already = this.store.contactLinksOf(link.leadId).some((l) => l.contactId === keepId);
      if (!already) this.store.link(link.leadId, keepId, link.main);
    }
    this.store.contacts.delete(loseId);
    this.dropLinks((l) => l.contactId === loseId);
    const updated = this.store.updateContact(keep, { customFields: patches }, MANAGER);
    this.emit([updated, { kind: 'contact_deleted', contact: structuredClone(lose) }]);
    return this.store.contactRead(keep, true);
  }

  private dropLinks(match: (l: { leadId: number; contactId: number }) => boolean): void {
    const kept = this.store.links.filter((l) => !match(l));
    this.store.links.splice(0, this.store.links.length, ...kept);
  }
}

function mergeValues(
  field: FieldDef,
  keep: ContactRecord,
  lose: ContactRecord,
): CustomFieldValueItem[] | undefined {
  const of = (c: ContactRecord) =>
    c.custom_fields_values.find((v) => v.field_id === field.id)?.values ?? [];
  const mine = of(keep);
  const extra = of(lose).filter((v) => !mine.some((m) => String(m.value) === String(v.value)));
  return extra.length > 0 ? [...mine, ...extra] : undefined;
}
