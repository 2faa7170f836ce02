import { Lead } from '../lead.entity';
import {
  AmoIncomingState,
  ContactMethod,
  ContactTime,
  LeadSource,
  LeadStatus,
  LeadSyncState,
  ResponsibleSource,
} from '../lead.enums';
import { LeadTracking } from '../lead-tracking';

export interface LeadResponse {
  id: string;
  number: number;
  propertyId: string | null;
  guestName: string;
  guestPhone: string | null;
  guestEmail: string | null;
  contactMethod: ContactMethod;
  contactTime: ContactTime;
  comment: string | null;
  tracking: LeadTracking | null;
  pageUrl: string | null;
  clientIp: string | null;
  status: LeadStatus;
  source: LeadSource;
  amoLeadId: number | null;
  amoContactId: number | null;
  /** Set when the lead went to amoCRM's incoming leads: the entry and a manager's decision. */
  incoming: { uid: string | null; state: AmoIncomingState } | null;
  /** amoCRM user responsible for the lead and who decided it; null until it is sent. */
  responsible: { userId: number | null; source: ResponsibleSource } | null;
  /** A repeat request: the lead whose amoCRM deal it joined. */
  repeatOf: string | null;
  sync: { state: LeadSyncState; error: string | null; syncedAt: string | null };
  /** When amoCRM reported the linked lead deleted; null when it exists (or was restored). */
  amoDeletedAt: string | null;
  /** The amoCRM stage the lead is on when the mapping has no status for it; else null. */
  unmappedStage: { pipelineId: number | null; statusId: number; since: string } | null;
  createdAt: string;
  updatedAt: string;
}

export function toLeadResponse(l: Lead): LeadResponse {
  return {
    id: l.id,
    number: l.number,
    propertyId: l.propertyId,
    guestName: l.guestName,
    guestPhone: l.guestPhone,
    guestEmail: l.guestEmail,
    contactMethod: l.contactMethod,
    contactTime: l.contactTime,
    comment: l.comment,
    tracking: l.tracking,
    pageUrl: l.pageUrl,
    clientIp: l.clientIp,
    status: l.status,
    source: l.source,
    amoLeadId: l.amoLeadId,
    amoContactId: l.amoContactId,
    incoming: l.amoIncomingState ? { uid: l.amoUnsortedUid, state: l.amoIncomingState } : null,
    responsible: l.amoResponsibleSource
      ? { userId: l.amoResponsibleUserId, source: l.amoResponsibleSource }
      : null,
    repeatOf: l.repeatOf,
    sync: {
      state: l.syncState,
      error: l.syncError,
      syncedAt: l.syncedAt ? l.syncedAt.toISOString() : null,
    },
    amoDeletedAt: l.amoDeletedAt ? l.amoDeletedAt.toISOString() : null,
    // a lead just created through the API has these columns unset (undefined) rather than null
    unmappedStage: l.unmappedStatusId
      ? {
          pipelineId: l.unmappedPipelineId ?? null,
          statusId: l.unmappedStatusId,
          since: (l.unmappedSince ?? l.updatedAt).toISOString(),
        }
      : null,
    createdAt: l.createdAt.toISOString(),
    updatedAt: l.updatedAt.toISOString(),
  };
}
