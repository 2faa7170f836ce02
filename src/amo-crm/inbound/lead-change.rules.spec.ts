import { Lead } from '../../leads/lead.entity';
import {
  ContactMethod,
  ContactTime,
  LeadSource,
  LeadStatus,
  LeadSyncState,
} from '../../leads/lead.enums';
import { EffectiveMapping, noAccountParts } from '../mapping/amo-mapping';
import {
  DELETED_IN_AMO,
  LeadEvent,
  planAttach,
  planLeadChange,
  planNewLead,
} from './lead-change.rules';

const stage = (pipelineId: number, statusId: number) => ({
  pipelineId,
  statusId,
  pipelineName: 'p',
  statusName: 's',
});
const mapping: EffectiveMapping = {
  statuses: {
    [LeadStatus.NEW]: stage(7000001, 7100002),
    [LeadStatus.VIEWING_SCHEDULED]: stage(7000001, 7100004),
    [LeadStatus.WON]: stage(7000001, 142),
  },
  fields: {
    ourLeadId: 8000001,
    contactMethod: { id: 8000002, enums: { PHONE: 8100001, EMAIL: 8100002 } },
  },
  tags: [],
  problems: [],
  ...noAccountParts(),
};

const NOW = new Date('2026-12-03T10:00:00Z');
const ID = '0b7a9c39-4a7e-4a61-9b1e-0c7a52f1d001';
const lead = (over: Partial<Lead> = {}): Lead =>
  Object.assign(new Lead(), {
    id: ID,
    number: 12,
    propertyId: null,
    guestName: 'Anna',
    guestPhone: '+79120000000',
    guestEmail: null,
    contactMethod: ContactMethod.PHONE,
    contactTime: ContactTime.ANY_TIME,
    comment: null,
    status: LeadStatus.NEW,
    source: LeadSource.SITE,
    amoLeadId: 501,
    amoContactId: 601,
    syncState: LeadSyncState.SYNCED,
    syncError: null,
    amoUpdatedAt: 1000,
    syncedAt: null,
    amoDeletedAt: null,
    unmappedPipelineId: null,
    unmappedStatusId: null,
    unmappedSince: null,
    ...over,
  });
const event = (
  action: string,
  item: LeadEvent['item'] = {},
  amoUpdatedAt: number | null = 2000,
) => ({
  action,
  amoId: 501,
  amoUpdatedAt,
  item,
});
const toViewing = { status_id: '7100004', pipeline_id: '7000001' };

describe('planLeadChange', () => {
  it('moves the status along a mapped stage and records the amoCRM time', () => {
    expect(planLeadChange(lead(), event('status', toViewing), mapping)).toEqual({
      kind: 'patch',
      patch: { status: LeadStatus.VIEWING_SCHEDULED, amoUpdatedAt: 2000 },
      outcome: 'status NEW → VIEWING_SCHEDULED',
    });
  });

  it('changes nothing for an event not newer than the last applied one (our own echo)', () => {
    const plan = planLeadChange(lead({ amoUpdatedAt: 2000 }), event('update', toViewing), mapping);
    expect(plan).toEqual({
      kind: 'patch',
      patch: {},
      outcome: expect.stringContaining('not newer') as string,
    });
  });

  it('keeps the status of an unmapped stage and says so', () => {
    const plan = planLeadChange(
      lead(),
      event('update', { status_id: '7100099', pipeline_id: '7000001' }),
      mapping,
      NOW,
    );
    expect(plan).toMatchObject({
      kind: 'patch',
      patch: {
        amoUpdatedAt: 2000,
        unmappedPipelineId: 7000001,
        unmappedStatusId: 7100099,
        unmappedSince: NOW,
      },
      notice:
        'moved in amoCRM to stage 7100099 of pipeline 7000001, which is not mapped; status NEW kept',
    });
    expect(plan.kind === 'patch' && plan.patch.status).toBe(undefined);
    expect(plan.kind === 'patch' && plan.outcome).toContain('status kept');
  });

  it('says nothing new for a second event on the same unmapped stage, and clears it on a mapped one', () => {
    const onIt = lead({ unmappedPipelineId: 7000001, unmappedStatusId: 7100099 });
    const again = planLeadChange(
      onIt,
      event('status', { status_id: '7100099', pipeline_id: '7000001' }),
      mapping,
      NOW,
    );
    expect(again).toMatchObject({ kind: 'patch', patch: { amoUpdatedAt: 2000 } });
    expect(again.kind === 'patch' && again.notice).toBe(undefined);
    expect(again.kind === 'patch' && 'unmappedStatusId' in again.patch).toBe(false);
    const back = planLeadChange(onIt, event('status', toViewing), mapping, NOW);
    expect(back).toMatchObject({
      kind: 'patch',
      patch: { status: LeadStatus.VIEWING_SCHEDULED, unmappedStatusId: null, unmappedSince: null },
    });
  });

  it('takes the guest name from amoCRM only for leads born there', () => {
    const item = { name: 'Boris Petrov' };
    const ours = planLeadChange(lead(), event('update', item), mapping);
    const theirs = planLeadChange(
      lead({ source: LeadSource.AMO_CRM }),
      event('update', item),
      mapping,
    );
    expect(ours.kind === 'patch' && ours.patch.guestName).toBe(undefined);
    expect(theirs.kind === 'patch' && theirs.patch.guestName).toBe('Boris Petrov');
  });

  it('marks a deleted lead reversibly, and a restore clears the mark', () => {
    expect(planLeadChange(lead(), event('delete', {}, null), mapping, NOW)).toMatchObject({
      patch: { syncError: DELETED_IN_AMO, amoDeletedAt: NOW },
      notice: 'deleted in amoCRM',
    });
    const deleted = lead({ syncError: DELETED_IN_AMO, amoDeletedAt: NOW });
    expect(planLeadChange(deleted, event('delete', {}, null), mapping)).toMatchObject({
      patch: {},
    });
    const restored = planLeadChange(deleted, event('restore'), mapping);
    expect(restored).toMatchObject({
      kind: 'patch',
      patch: { syncError: null, amoDeletedAt: null, amoUpdatedAt: 2000 },
      notice: 'restored in amoCRM',
    });
    expect(restored.kind === 'patch' && restored.outcome).toMatch(/restored; no local change$/);
  });

  it('asks for a link or a new lead when nothing local is linked, and ignores other actions', () => {
    expect(planLeadChange(null, event('add'), mapping)).toEqual({ kind: 'unlinked' });
    expect(planLeadChange(null, event('delete'), mapping)).toMatchObject({
      kind: 'patch',
      patch: {},
    });
    expect(planLeadChange(lead(), event('responsible'), mapping)).toEqual({ kind: 'ignored' });
  });
});

describe('planAttach', () => {
  it('links our own create echoed back, leaving the status to the outbox', () => {
    const plan = planAttach(lead({ amoLeadId: null, amoUpdatedAt: null }), event('add', toViewing));
    expect(plan.patch).toEqual({ amoLeadId: 501, amoUpdatedAt: 2000 });
  });

  it('refuses a marker of a lead already linked to another amoCRM lead', () => {
    const plan = planAttach(lead({ amoLeadId: 999 }), event('add'));
    expect(plan.patch).toEqual({});
    expect(plan.outcome).toContain('ignored');
  });
});

describe('planNewLead', () => {
  it('creates a synced local lead with the mapped status and says the price stays in amoCRM', () => {
    const now = new Date('2026-01-01T00:00:00Z');
    const plan = planNewLead(
      event('add', { name: 'Call me', price: '5000', ...toViewing }),
      mapping,
      now,
    );
    expect(plan.values).toMatchObject({
      guestName: 'Call me',
      status: LeadStatus.VIEWING_SCHEDULED,
      source: LeadSource.AMO_CRM,
      amoLeadId: 501,
      syncState: LeadSyncState.SYNCED,
      syncedAt: now,
    });
    expect(plan.outcome('L1')).toBe('created local lead L1; amoCRM price 5000 stays in amoCRM');
  });
});
