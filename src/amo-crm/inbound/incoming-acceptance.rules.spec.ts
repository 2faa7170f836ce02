import { Lead } from '../../leads/lead.entity';
import {
  AmoIncomingState,
  ContactMethod,
  ContactTime,
  LeadSource,
  LeadStatus,
  LeadSyncState,
} from '../../leads/lead.enums';
import { EffectiveMapping, noAccountParts } from '../mapping/amo-mapping';
import { DECLINED_IN_AMO, planIncomingChange } from './incoming-acceptance.rules';
import { LeadEvent } from './lead-change.rules';

const stage = (statusId: number) => ({
  pipelineId: 7000001,
  statusId,
  pipelineName: 'p',
  statusName: 's',
});
const mapping: EffectiveMapping = {
  statuses: {
    [LeadStatus.NEW]: stage(7100002),
    [LeadStatus.VIEWING_SCHEDULED]: stage(7100004),
  },
  fields: {},
  incomingStages: [7100001],
  tags: [],
  problems: [],
  ...noAccountParts(),
};

const lead = (over: Partial<Lead> = {}): Lead =>
  Object.assign(new Lead(), {
    id: 'l-1',
    number: 1,
    guestName: 'Anna',
    contactMethod: ContactMethod.PHONE,
    contactTime: ContactTime.ANY_TIME,
    status: LeadStatus.NEW,
    source: LeadSource.SITE,
    amoLeadId: 501,
    amoIncomingState: AmoIncomingState.WAITING,
    syncState: LeadSyncState.SYNCED,
    syncError: null,
    amoUpdatedAt: 1000,
    ...over,
  });
const event = (action: string, statusId?: string): LeadEvent => ({
  action,
  amoId: 501,
  amoUpdatedAt: 2000,
  item: statusId ? { status_id: statusId, pipeline_id: '7000001' } : {},
});

describe('planIncomingChange', () => {
  it('leaves leads that do not wait in incoming leads to the ordinary rules', () => {
    expect(planIncomingChange(null, event('status', '7100004'), mapping)).toBeNull();
    const accepted = lead({ amoIncomingState: AmoIncomingState.ACCEPTED });
    expect(planIncomingChange(accepted, event('status', '7100004'), mapping)).toBeNull();
    expect(
      planIncomingChange(lead({ amoIncomingState: null }), event('delete'), mapping),
    ).toBeNull();
  });

  it('on acceptance takes the manager stage while our status is still NEW', () => {
    const plan = planIncomingChange(lead(), event('status', '7100004'), mapping);
    expect(plan).toMatchObject({
      kind: 'patch',
      patch: {
        amoIncomingState: AmoIncomingState.ACCEPTED,
        status: LeadStatus.VIEWING_SCHEDULED,
        amoUpdatedAt: 2000,
      },
    });
  });

  it('on acceptance keeps a status set here while the lead waited', () => {
    const plan = planIncomingChange(
      lead({ status: LeadStatus.NEGOTIATION }),
      event('reconcile', '7100004'),
      mapping,
    );
    expect(plan).toMatchObject({ kind: 'patch', patch: { amoIncomingState: 'ACCEPTED' } });
    expect(plan?.kind === 'patch' && 'status' in plan.patch).toBe(false);
    expect(plan?.kind === 'patch' && plan.outcome).toContain('NEGOTIATION kept');
  });

  it('changes no status while the lead is still in the incoming stage', () => {
    const plan = planIncomingChange(lead(), event('update', '7100001'), mapping);
    expect(plan).toMatchObject({ kind: 'patch' });
    expect(plan?.kind === 'patch' && plan.patch.status).toBeUndefined();
    expect(plan?.kind === 'patch' && plan.patch.amoIncomingState).toBeUndefined();
  });

  it('turns a delete of a waiting lead into a decline: LOST, marked, state DECLINED', () => {
    expect(planIncomingChange(lead(), event('delete'), mapping)).toMatchObject({
      kind: 'patch',
      patch: {
        amoIncomingState: AmoIncomingState.DECLINED,
        status: LeadStatus.LOST,
        syncError: DECLINED_IN_AMO,
      },
    });
  });
});
