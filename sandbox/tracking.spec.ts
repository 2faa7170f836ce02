import { startSandbox, type AmoSandbox } from './index';
import { client, connect } from './spec-helpers';

describe('sandbox tracking (statistics) fields', () => {
  let sb: AmoSandbox;
  let api: ReturnType<typeof client>;

  beforeEach(async () => {
    sb = await startSandbox({ rateLimitPerSecond: 1000 });
    api = client(sb, (await connect(sb)).access);
  });
  afterEach(async () => sb.stop());

  const trackingFields = async () =>
    (
      (await api.get('/api/v4/leads/custom_fields')).json._embedded.custom_fields as {
        id: number;
        code: string | null;
        type: string;
        is_api_only: boolean;
        group_id: string | null;
      }[]
    ).filter((f) => f.type === 'tracking_data');

  it('lists the predefined tracking_data fields, API-only, in the statistic group', async () => {
    const fields = await trackingFields();
    expect(fields.map((f) => f.code)).toEqual([
      'UTM_SOURCE',
      'UTM_MEDIUM',
      'UTM_CAMPAIGN',
      'UTM_CONTENT',
      'UTM_TERM',
      'UTM_REFERRER',
      'GCLID',
      'YCLID',
      'FBCLID',
      '_YM_UID',
    ]);
    expect(fields.every((f) => f.is_api_only && f.group_id === 'statistic')).toBe(true);
  });

  it('takes tracking values by field_code like text and reads them back with the code', async () => {
    const res = await api.post('/api/v4/leads', [
      {
        name: 'with utm',
        custom_fields_values: [{ field_code: 'UTM_SOURCE', values: [{ value: 'yandex' }] }],
      },
    ]);
    expect(res.status).toBe(200);
    const id = res.json._embedded.leads[0].id as number;
    const lead = sb.leads().find((l) => l.id === id);
    expect(lead?.custom_fields_values).toEqual([
      expect.objectContaining({
        field_code: 'UTM_SOURCE',
        field_type: 'tracking_data',
        values: [{ value: 'yandex' }],
      }),
    ]);
  });

  it('runs as an account without some tracking fields: not listed, writes to them refused', async () => {
    sb.configure({ absentTrackingFields: ['GCLID', 'FBCLID'] });
    const codes = (await trackingFields()).map((f) => f.code);
    expect(codes).not.toContain('GCLID');
    expect(codes).not.toContain('FBCLID');
    expect(codes).toContain('UTM_SOURCE');
    const res = await api.post('/api/v4/leads', [
      { name: 'x', custom_fields_values: [{ field_code: 'GCLID', values: [{ value: 'g' }] }] },
    ]);
    expect(res.status).toBe(400);
    expect(JSON.stringify(res.json)).toContain('custom_fields_values.0.field_code');
  });
});
