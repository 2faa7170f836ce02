import { Lead } from '../../leads/lead.entity';
import { AmoIncomingState, LeadStatus } from '../../leads/lead.enums';
import { EffectiveMapping } from '../mapping/amo-mapping';
import { LeadChangePlan, LeadEvent, planFieldChanges } from './lead-change.rules';
import { intOf } from './webhook-item';

/** Written to `leads.sync_error` when a manager declines the lead in amoCRM's incoming leads. */
export const DECLINED_IN_AMO = 'declined in amoCRM incoming leads';

/**
 * What an amoCRM change means for a lead that waits in amoCRM's incoming leads; null for every
 * other lead (the ordinary rules apply).
 *
 * - The lead leaves the incoming stage (a status or update webhook, or reconciliation): a
 *   manager accepted it. If our status is still NEW, the lead follows the stage the manager
 *   chose; a status set here while the lead waited is kept, and its queued job pushes it.
 * - The lead is deleted: declining deletes it in amoCRM. Ours becomes LOST, marked declined;
 *   its queued changes are dropped (there is nothing left to change).
 * - Anything else while it waits changes only what the ordinary rules allow, never the status.
 */
export function planIncomingChange(
  lead: Lead | null,
  event: LeadEvent,
  mapping: EffectiveMapping,
): LeadChangePlan | null {
  if (!lead || lead.amoIncomingState !== AmoIncomingState.WAITING) return null;
  if (event.action === 'delete') {
    return {
      kind: 'patch',
      patch: {
        amoIncomingState: AmoIncomingState.DECLINED,
        status: LeadStatus.LOST,
        syncError: DECLINED_IN_AMO,
        amoDeletedAt: new Date(),
      },
      outcome: `lead ${lead.id} declined in amoCRM incoming leads; status ${lead.status} → LOST`,
      notice: DECLINED_IN_AMO,
    };
  }
  if (!['status', 'update', 'reconcile'].includes(event.action)) return null;
  const statusId = intOf(event.item, 'status_id');
  const rest = planFieldChanges(lead, event, mapping);
  if (statusId === undefined || (mapping.incomingStages ?? []).includes(statusId)) {
    // The incoming stage is no stage of ours: not a status change, not an unmapped stage.
    const patch: Partial<Lead> = { ...rest.patch };
    for (const key of [
      'status',
      'unmappedPipelineId',
      'unmappedStatusId',
      'unmappedSince',
    ] as const)
      delete patch[key];
    return { kind: 'patch', patch, outcome: 'still in incoming leads; status kept' };
  }
  const patch: Partial<Lead> = { ...rest.patch, amoIncomingState: AmoIncomingState.ACCEPTED };
  let outcome = `accepted from incoming leads; ${rest.outcome}`;
  if (lead.status !== LeadStatus.NEW && patch.status !== undefined) {
    delete patch.status;
    outcome = `accepted from incoming leads; our status ${lead.status} kept and sent to amoCRM`;
  }
  return { kind: 'patch', patch, outcome, notice: rest.notice };
}
