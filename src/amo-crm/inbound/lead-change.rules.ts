import { Lead } from '../../leads/lead.entity';
import {
  ContactMethod,
  ContactTime,
  LeadSource,
  LeadStatus,
  LeadSyncState,
} from '../../leads/lead.enums';
import { EffectiveMapping } from '../mapping/amo-mapping';
import { WebhookItem } from './webhook-body.parser';
import {
  describeStage,
  guestNameFrom,
  intOf,
  isStale,
  leadChangesFrom,
  nameStage,
  textOf,
  UnmappedStage,
} from './webhook-item';

/**
 * What an amoCRM lead change means here, as pure functions of the local lead, the event and
 * the mapping. The worker finds the rows, applies the plan and marks the inbox; the rules live
 * here so each case has a spec.
 */

/** Written to `leads.sync_error` when amoCRM deletes the lead; a restore clears it. */
export const DELETED_IN_AMO = 'deleted in amoCRM';

export interface LeadEvent {
  action: string;
  amoId: number;
  amoUpdatedAt: number | null;
  item: WebhookItem;
}

export type LeadChangePlan =
  /**
   * Write `patch` (if not empty) to the linked lead; `outcome` is kept on the inbox row;
   * `notice`, when set, is a change people must hear of (deleted, restored, unmapped stage),
   * logged once.
   */
  | { kind: 'patch'; patch: Partial<Lead>; outcome: string; notice?: string }
  /** No local lead is linked to this amoCRM lead: attach one of ours, or create one. */
  | { kind: 'unlinked' }
  /** Not an action we apply. */
  | { kind: 'ignored' };

/** The change for the local lead linked to the event's amoCRM lead (`lead`, or none). */
export function planLeadChange(
  lead: Lead | null,
  event: LeadEvent,
  mapping: EffectiveMapping,
  now: Date = new Date(),
): LeadChangePlan {
  const none = { kind: 'patch', patch: {}, outcome: 'no local lead for this amoCRM lead' } as const;
  switch (event.action) {
    case 'delete':
      if (!lead) return none;
      // Reversible on purpose: amoCRM can restore a deleted lead, so nothing is cleared.
      if (lead.amoDeletedAt) {
        return { kind: 'patch', patch: {}, outcome: `lead ${lead.id} already marked as deleted` };
      }
      return {
        kind: 'patch',
        patch: { syncError: DELETED_IN_AMO, amoDeletedAt: now },
        outcome: `lead ${lead.id} marked as deleted in amoCRM`,
        notice: `deleted in amoCRM`,
      };
    case 'restore': {
      if (!lead) return none;
      const rest = planFieldChanges(lead, event, mapping, now);
      const patch: Partial<Lead> = { ...rest.patch };
      if (lead.syncError === DELETED_IN_AMO) patch.syncError = null;
      if (lead.amoDeletedAt) patch.amoDeletedAt = null;
      const notice = [lead.amoDeletedAt ? 'restored in amoCRM' : null, rest.notice]
        .filter(Boolean)
        .join('; ');
      return {
        kind: 'patch',
        patch,
        outcome: `lead ${lead.id} restored; ${rest.outcome}`,
        ...(notice ? { notice } : {}),
      };
    }
    case 'add':
    case 'update':
    case 'status':
    case 'reconcile':
      if (!lead) return { kind: 'unlinked' };
      return { kind: 'patch', ...planFieldChanges(lead, event, mapping, now) };
    default:
      return { kind: 'ignored' };
  }
}

/** Status, contact method and time (and the name of leads born in amoCRM), if newer. */
export function planFieldChanges(
  lead: Lead,
  event: LeadEvent,
  mapping: EffectiveMapping,
  now: Date = new Date(),
): { patch: Partial<Lead>; outcome: string; notice?: string } {
  if (isStale(event.amoUpdatedAt, lead.amoUpdatedAt)) {
    return {
      patch: {},
      outcome: `not newer than the last applied amoCRM change (${lead.amoUpdatedAt}); nothing changed`,
    };
  }
  const changes = leadChangesFrom(event.item, mapping);
  const patch: Partial<Lead> = {};
  const notes: string[] = [];
  if (changes.status && changes.status !== lead.status) {
    patch.status = changes.status;
    notes.push(`status ${lead.status} → ${changes.status}`);
  }
  let notice: string | undefined;
  if (changes.unmappedStage) {
    notes.push(`${describeStage(changes.unmappedStage)}; status kept`);
    if (!onStage(lead, changes.unmappedStage)) {
      Object.assign(patch, unmappedColumns(changes.unmappedStage, now));
      notice = `moved in amoCRM to ${nameStage(changes.unmappedStage)}; status ${lead.status} kept`;
    }
  } else if (changes.status && lead.unmappedStatusId !== null) {
    Object.assign(patch, unmappedColumns(null, now));
    notes.push('back on a mapped stage');
  }
  if (changes.contactMethod && changes.contactMethod !== lead.contactMethod) {
    patch.contactMethod = changes.contactMethod;
    notes.push(`contact method → ${changes.contactMethod}`);
  }
  if (changes.contactTime && changes.contactTime !== lead.contactTime) {
    patch.contactTime = changes.contactTime;
    notes.push(`contact time → ${changes.contactTime}`);
  }
  // The amoCRM name of our own leads is generated ("Lead #12 - …"); only leads that were
  // born in amoCRM take their guest name from it.
  const name = textOf(event.item, 'name');
  if (lead.source === LeadSource.AMO_CRM && name !== undefined && name.trim()) {
    const guestName = guestNameFrom(name, lead.amoLeadId ?? 0);
    if (guestName !== lead.guestName) {
      patch.guestName = guestName;
      notes.push('guest name follows the amoCRM name');
    }
  }
  if (event.amoUpdatedAt !== null) patch.amoUpdatedAt = event.amoUpdatedAt;
  const outcome = notes.length ? notes.join('; ') : 'no local change';
  return notice ? { patch, outcome, notice } : { patch, outcome };
}

function onStage(lead: Lead, stage: UnmappedStage): boolean {
  return lead.unmappedStatusId === stage.statusId && lead.unmappedPipelineId === stage.pipelineId;
}

/** The lead's record of the unmapped stage it sits on (null: none). */
export function unmappedColumns(
  stage: UnmappedStage | null,
  now: Date,
): Pick<Lead, 'unmappedPipelineId' | 'unmappedStatusId' | 'unmappedSince'> {
  return {
    unmappedPipelineId: stage?.pipelineId ?? null,
    unmappedStatusId: stage?.statusId ?? null,
    unmappedSince: stage ? now : null,
  };
}

/**
 * An unlinked amoCRM lead carrying the marker of `ours`: our own create echoed back. It is
 * linked, and the status is left to our outbox, which may hold a newer local change.
 */
export function planAttach(
  ours: Lead,
  event: LeadEvent,
): { patch: Partial<Lead>; outcome: string } {
  if (ours.amoLeadId !== null && ours.amoLeadId !== event.amoId) {
    return {
      patch: {},
      outcome: `carries the marker of lead ${ours.id}, which is amoCRM lead ${ours.amoLeadId}; ignored`,
    };
  }
  const patch: Partial<Lead> = { amoLeadId: event.amoId };
  if (event.amoUpdatedAt !== null && !isStale(event.amoUpdatedAt, ours.amoUpdatedAt)) {
    patch.amoUpdatedAt = event.amoUpdatedAt;
  }
  return { patch, outcome: `our lead ${ours.id}; linked, nothing else changed` };
}

/** A lead born in amoCRM: the local lead to create, and the outcome once it has an id. */
export function planNewLead(
  event: LeadEvent,
  mapping: EffectiveMapping,
  now: Date = new Date(),
): { values: Partial<Lead>; outcome: (id: string) => string; notice?: string } {
  const changes = leadChangesFrom(event.item, mapping);
  const price = intOf(event.item, 'price');
  return {
    values: {
      propertyId: null,
      guestName: guestNameFrom(textOf(event.item, 'name'), event.amoId),
      guestPhone: null,
      guestEmail: null,
      contactMethod: changes.contactMethod ?? ContactMethod.PHONE,
      contactTime: changes.contactTime ?? ContactTime.ANY_TIME,
      comment: null,
      status: changes.status ?? LeadStatus.NEW,
      source: LeadSource.AMO_CRM,
      amoLeadId: event.amoId,
      amoContactId: null,
      syncState: LeadSyncState.SYNCED,
      syncError: null,
      amoUpdatedAt: event.amoUpdatedAt,
      syncedAt: now,
      amoDeletedAt: null,
      ...unmappedColumns(changes.unmappedStage ?? null, now),
    },
    ...(changes.unmappedStage
      ? { notice: `born in amoCRM on ${nameStage(changes.unmappedStage)}; status NEW` }
      : {}),
    outcome: (id) =>
      [
        `created local lead ${id}`,
        changes.unmappedStage ? `${describeStage(changes.unmappedStage)}; status NEW` : null,
        price !== undefined ? `amoCRM price ${price} stays in amoCRM` : null,
      ]
        .filter(Boolean)
        .join('; '),
  };
}
