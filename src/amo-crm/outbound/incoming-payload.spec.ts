import { Lead } from '../../leads/lead.entity';
import { ContactMethod, ContactTime, LeadSource, LeadStatus } from '../../leads/lead.enums';
import { EffectiveMapping, noAccountParts } from '../mapping/amo-mapping';
import { resolveTrackingFields } from '../mapping/tracking-fields';
import { incomingFormItem } from './incoming-payload';

const mapping: EffectiveMapping = {
  statuses: {
    [LeadStatus.NEW]: {
      pipelineId: 7000001,
      statusId: 7100002,
      pipelineName: 'p',
      statusName: 's',
    },
  },
  fields: { ourLeadId: 8000001 },
  tracking: resolveTrackingFields([
    { id: 8000201, name: 'utm_source', type: 'tracking_data', code: 'UTM_SOURCE' },
  ]),
  tags: ['site'],
  problems: [],
  ...noAccountParts(),
};

const lead = (over: Partial<Lead> = {}): Lead =>
  Object.assign(new Lead(), {
    id: 'l-1',
    number: 7,
    guestName: 'Anna',
    guestPhone: '+79120000000',
    guestEmail: null,
    contactMethod: ContactMethod.PHONE,
    contactTime: ContactTime.ANY_TIME,
    status: LeadStatus.NEW,
    source: LeadSource.SITE,
    tracking: { utmSource: 'yandex', referrer: 'https://ya.ru/' },
    pageUrl: 'https://flats.example/7',
    clientIp: '203.0.113.7',
    createdAt: new Date('2026-12-01T10:00:00Z'),
    ...over,
  });

describe('incomingFormItem', () => {
  const opts = { sourceName: 'Property site', fallbackPage: 'https://api.example' };

  it('carries form metadata, the lead with marker, tracking and tags, and a new contact', () => {
    expect(incomingFormItem(lead(), 'Loft', 900, mapping, opts)).toEqual({
      source_uid: 'l-1',
      source_name: 'Property site',
      pipeline_id: 7000001,
      created_at: 1796119200,
      metadata: {
        form_id: 'lead-form',
        form_name: 'Property site lead form',
        form_page: 'https://flats.example/7',
        form_sent_at: 1796119200,
        ip: '203.0.113.7',
        referer: 'https://ya.ru/',
      },
      _embedded: {
        leads: [
          {
            name: 'Lead #7 - Loft',
            price: 900,
            custom_fields_values: [
              { field_id: 8000001, values: [{ value: 'l-1' }] },
              { field_id: 8000201, values: [{ value: 'yandex' }] },
            ],
            _embedded: { tags: [{ name: 'site' }] },
          },
        ],
        contacts: [
          {
            name: 'Anna',
            custom_fields_values: [
              { field_code: 'PHONE', values: [{ value: '+79120000000', enum_code: 'MOB' }] },
            ],
          },
        ],
      },
      request_id: 'l-1',
    });
  });

  it('falls back to our origin for the page and leaves out what the lead lacks', () => {
    const item = incomingFormItem(
      lead({ pageUrl: null, clientIp: null, tracking: null }),
      null,
      null,
      mapping,
      opts,
    );
    expect(item.metadata).toEqual({
      form_id: 'lead-form',
      form_name: 'Property site lead form',
      form_page: 'https://api.example',
      form_sent_at: 1796119200,
    });
    expect(item._embedded.leads[0]).not.toHaveProperty('price');
  });
});
