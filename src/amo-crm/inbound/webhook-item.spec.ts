import { ContactMethod, LeadStatus } from '../../leads/lead.enums';
import { EffectiveMapping, noAccountParts } from '../mapping/amo-mapping';
import { WebhookItem } from './webhook-body.parser';
import {
  contentHash,
  customFieldValues,
  dedupeKey,
  guestNameFrom,
  isStale,
  itemTimestamp,
  leadChangesFrom,
  ourLeadMarker,
  storableItem,
  storableText,
} from './webhook-item';

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

describe('dedupeKey', () => {
  const item: WebhookItem = {
    id: '42',
    status_id: '7100004',
    pipeline_id: '7000001',
    updated_at: '1700000000',
  };

  it('is the same for a repeated delivery and differs per action, time and stage', () => {
    expect(dedupeKey(1, 'leads', 'status', item)).toBe(
      dedupeKey(1, 'leads', 'status', { ...item }),
    );
    expect(dedupeKey(1, 'leads', 'status', item)).toBe(
      '1:leads:status:42:1700000000:7100004:7000001',
    );
    expect(dedupeKey(1, 'leads', 'update', item)).not.toBe(dedupeKey(1, 'leads', 'status', item));
    expect(dedupeKey(1, 'leads', 'status', { ...item, updated_at: '1700000001' })).not.toBe(
      dedupeKey(1, 'leads', 'status', item),
    );
    expect(dedupeKey(1, 'leads', 'status', { ...item, status_id: '142' })).not.toBe(
      dedupeKey(1, 'leads', 'status', item),
    );
    expect(dedupeKey(2, 'leads', 'status', item)).not.toBe(dedupeKey(1, 'leads', 'status', item));
  });

  it('falls back to last_modified, and to the previous stage when there is no time at all', () => {
    expect(
      dedupeKey(1, 'leads', 'status', { id: '42', last_modified: '1456820780', status_id: '5' }),
    ).toBe('1:leads:status:42:1456820780:5:-');
    const dp = {
      id: '42',
      status_id: '5',
      pipeline_id: '9',
      old_status_id: '4',
      old_pipeline_id: '9',
    };
    expect(dedupeKey(1, 'leads', 'status', dp)).toBe('1:leads:status:42:-:5:9:4:9');
  });

  it('keys an item without an id by its content', () => {
    const a = dedupeKey(1, 'task', 'add', { text: 'call' });
    expect(a).toMatch(/^1:task:add:h[0-9a-f]{40}$/);
    expect(dedupeKey(1, 'task', 'add', { text: 'call back' })).not.toBe(a);
  });
});

describe('ordering', () => {
  it('treats an event older than or equal to the applied change as stale', () => {
    expect(isStale(100, 101)).toBe(true);
    expect(isStale(101, 101)).toBe(true);
    expect(isStale(102, 101)).toBe(false);
    expect(isStale(100, null)).toBe(false);
    expect(isStale(null, 101)).toBe(false);
  });

  it('reads updated_at before last_modified and ignores date strings', () => {
    expect(itemTimestamp({ updated_at: '20', last_modified: '10' })).toBe(20);
    expect(itemTimestamp({ last_modified: '10' })).toBe(10);
    expect(itemTimestamp({ last_modified: '2024-01-01 10:00:00' })).toBeNull();
  });
});

describe('lead items', () => {
  it('reads custom field values in both shapes, including the date-field quirk', () => {
    const item: WebhookItem = {
      custom_fields: {
        0: { id: '8000007', values: { 0: '1700000000' } },
        1: { id: '8000002', values: { 0: { value: 'EMAIL', enum: '8100002' } } },
      },
    };
    expect(customFieldValues(item, 8000007)).toEqual([{ value: '1700000000', enumId: null }]);
    expect(customFieldValues(item, 8000002)).toEqual([{ value: 'EMAIL', enumId: 8100002 }]);
    expect(customFieldValues(item, 1)).toEqual([]);
  });

  it('maps the stage to a status, and reports an unmapped stage instead of guessing', () => {
    expect(leadChangesFrom({ status_id: '7100004', pipeline_id: '7000001' }, mapping).status).toBe(
      LeadStatus.VIEWING_SCHEDULED,
    );
    expect(leadChangesFrom({ status_id: '142', pipeline_id: '7000002' }, mapping).status).toBe(
      LeadStatus.WON,
    );
    const unmapped = leadChangesFrom({ status_id: '7100005', pipeline_id: '7000001' }, mapping);
    expect(unmapped.status).toBeUndefined();
    expect(unmapped.unmappedStage).toEqual({ pipelineId: 7000001, statusId: 7100005 });
  });

  it('maps a select field back through its enum ids', () => {
    const item: WebhookItem = {
      custom_fields: { 0: { id: '8000002', values: { 0: { value: 'EMAIL', enum: '8100002' } } } },
    };
    expect(leadChangesFrom(item, mapping).contactMethod).toBe(ContactMethod.EMAIL);
  });

  it('recognises our lead by the marker field, else by our name pattern', () => {
    const uuid = '0b7c1a9e-3f3c-4b8e-9a57-2f1d5f0e6c11';
    expect(
      ourLeadMarker(
        { custom_fields: { 0: { id: '8000001', values: { 0: { value: uuid } } } } },
        mapping,
      ),
    ).toEqual({ leadId: uuid });
    expect(ourLeadMarker({ name: 'Lead #17 - Loft on Arbat' }, mapping)).toEqual({ number: 17 });
    expect(ourLeadMarker({ name: 'Call back tomorrow' }, mapping)).toBeNull();
  });

  it('makes a one-line guest name, with a fallback for an empty amoCRM name', () => {
    expect(guestNameFrom('  Anna\nPetrova ', 5)).toBe('Anna Petrova');
    expect(guestNameFrom('', 5)).toBe('amoCRM lead 5');
    expect(guestNameFrom('x'.repeat(300), 5)).toHaveLength(200);
  });
});

describe('storable values', () => {
  it('replaces NUL and unpaired surrogates by U+FFFD and keeps everything else', () => {
    expect(storableText('Flat\u0000 2')).toBe('Flat\uFFFD 2');
    expect(storableText('a\uD800b\uDC00c')).toBe('a\uFFFDb\uFFFDc');
    expect(storableText('ok \uD83D\uDE00 \u200D')).toBe('ok \uD83D\uDE00 \u200D');
    expect(
      storableItem({ id: '1', custom_fields: { '0': { values: { '0': 'x\u0000' } } } }),
    ).toEqual({
      id: '1',
      custom_fields: { '0': { values: { '0': 'x\uFFFD' } } },
    });
  });

  it('hashes an item by content, whatever the order of its keys', () => {
    const a = contentHash('leads', 'delete', { id: '5', status_id: '1' });
    expect(contentHash('leads', 'delete', { status_id: '1', id: '5' })).toBe(a);
    expect(contentHash('leads', 'restore', { id: '5', status_id: '1' })).not.toBe(a);
    expect(contentHash('leads', 'delete', { id: '5', status_id: '2' })).not.toBe(a);
  });
});
