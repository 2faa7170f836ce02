import { AmoCustomField } from '../api/amo-crm.types';
import { resolveTrackingFields, trackingFieldValues } from './tracking-fields';

const field = (id: number, code: string | null, type = 'tracking_data'): AmoCustomField => ({
  id,
  name: code ?? 'own',
  type,
  code,
});

describe('tracking fields', () => {
  it('finds the statistics fields by code and lists the codes the account lacks', () => {
    const m = resolveTrackingFields([
      field(1, 'UTM_SOURCE'),
      field(2, 'GCLID'),
      field(3, null, 'text'),
      field(4, '_YM_UID'),
    ]);
    expect(m.fields).toEqual({
      utmSource: { id: 1, code: 'UTM_SOURCE' },
      gclid: { id: 2, code: 'GCLID' },
      ymUid: { id: 4, code: '_YM_UID' },
    });
    expect(m.missing).toEqual([
      'UTM_MEDIUM',
      'UTM_CAMPAIGN',
      'UTM_CONTENT',
      'UTM_TERM',
      'UTM_REFERRER',
      'YCLID',
      'FBCLID',
    ]);
  });

  it('writes only values the lead has to fields the account has', () => {
    const m = resolveTrackingFields([field(1, 'UTM_SOURCE'), field(5, 'UTM_REFERRER')]);
    expect(
      trackingFieldValues({ utmSource: 'yandex', referrer: 'https://ya.ru/', gclid: 'g' }, m),
    ).toEqual([
      { field_id: 1, values: [{ value: 'yandex' }] },
      { field_id: 5, values: [{ value: 'https://ya.ru/' }] },
    ]);
    expect(trackingFieldValues(null, m)).toEqual([]);
    expect(trackingFieldValues({ utmSource: 'x' }, undefined)).toEqual([]);
  });
});
