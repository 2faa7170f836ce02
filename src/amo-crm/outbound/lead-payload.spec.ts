import { Lead } from '../../leads/lead.entity';
import {
  ContactMethod,
  ContactTime,
  LeadSource,
  LeadStatus,
  LeadSyncState,
} from '../../leads/lead.enums';
import { EffectiveMapping, noAccountParts } from '../mapping/amo-mapping';
import { amoLeadName, complexLeadItem, contactFields, leadCustomFields } from './lead-payload';

const ID = '0b7a9c39-4a7e-4a61-9b1e-0c7a52f1d001';
const lead = (over: Partial<Lead> = {}): Lead =>
  Object.assign(new Lead(), {
    id: ID,
    number: 12,
    propertyId: null,
    guestName: 'Anna',
    guestPhone: '+79120000000',
    guestEmail: 'anna@example.com',
    contactMethod: ContactMethod.EMAIL,
    contactTime: ContactTime.MORNING,
    comment: null,
    status: LeadStatus.NEW,
    source: LeadSource.SITE,
    amoLeadId: null,
    amoContactId: null,
    syncState: LeadSyncState.PENDING,
    syncError: null,
    amoUpdatedAt: null,
    syncedAt: null,
    ...over,
  });
const mapping: EffectiveMapping = {
  statuses: {
    [LeadStatus.NEW]: { pipelineId: 20, statusId: 22, pipelineName: 'p', statusName: 's' },
  },
  fields: {
    ourLeadId: 1,
    property: 2,
    contactMethod: { id: 3, enums: { EMAIL: 31 } },
    contactTime: { id: 4, enums: {} },
  },
  tags: ['site'],
  problems: [],
  ...noAccountParts(),
};

describe('lead payload', () => {
  it('names the lead after its number and property', () => {
    expect(amoLeadName(lead(), 'Loft on Arbat')).toBe('Lead #12 - Loft on Arbat');
    expect(amoLeadName(lead(), null)).toBe('Lead #12');
  });

  it('fills only mapped custom fields and options', () => {
    expect(leadCustomFields(lead(), mapping, 'Loft')).toEqual([
      { field_id: 1, values: [{ value: ID }] },
      { field_id: 2, values: [{ value: 'Loft' }] },
      { field_id: 3, values: [{ enum_id: 31 }] },
    ]);
    expect(leadCustomFields(lead(), { ...mapping, fields: {} }, 'Loft')).toEqual([]);
  });

  it('gives the contact the phone and e-mail it has', () => {
    expect(contactFields(lead({ guestEmail: null }))).toEqual([
      { field_code: 'PHONE', values: [{ value: '+79120000000', enum_code: 'MOB' }] },
    ]);
  });

  it('builds a complex item with a new contact, the stage, price, tags and our request id', () => {
    const item = complexLeadItem(lead(), 'Loft', 5_000_000, mapping, null);
    expect(item).toMatchObject({
      name: 'Lead #12 - Loft',
      price: 5_000_000,
      pipeline_id: 20,
      status_id: 22,
      request_id: ID,
      _embedded: { tags: [{ name: 'site' }], contacts: [{ name: 'Anna' }] },
    });
  });

  it('links a known contact by id and leaves out what is unknown', () => {
    const item = complexLeadItem(
      lead({ status: LeadStatus.WON }),
      null,
      null,
      { ...mapping, fields: {} },
      77,
    );
    expect(item).toEqual({
      name: 'Lead #12',
      request_id: ID,
      _embedded: { tags: [{ name: 'site' }], contacts: [{ id: 77 }] },
    });
  });
});
