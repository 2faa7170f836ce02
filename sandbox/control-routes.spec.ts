import { SANDBOX_FIXTURES as F, startSandbox, type AmoSandbox } from './index';
import { call, formValue, WebhookReceiver } from './spec-helpers';

/** Everything here goes over HTTP only, as a test driving a sandbox in another process would. */
describe('sandbox control routes', () => {
  let sb: AmoSandbox;
  let base: string;
  let receiver: WebhookReceiver;

  beforeEach(async () => {
    sb = await startSandbox();
    base = sb.url;
    receiver = await WebhookReceiver.start();
  });
  afterEach(async () => {
    await sb.stop();
    await receiver.stop();
  });

  const control = (method: string, path: string, body?: unknown) =>
    call(base, method, `/_sandbox${path}`, { body });

  async function connectOverHttp(): Promise<string> {
    const info = (await control('GET', '/info')).json;
    const { code } = (await control('POST', '/auth-code')).json;
    const res = await call(base, 'POST', '/oauth2/access_token', {
      body: {
        client_id: info.clientId,
        client_secret: info.clientSecret,
        grant_type: 'authorization_code',
        code,
        redirect_uri: info.redirectUri,
      },
    });
    expect(res.status).toBe(200);
    return res.json.access_token as string;
  }

  it('describes itself and hands out authorization codes', async () => {
    const info = await control('GET', '/info');
    expect(info.json).toMatchObject({
      url: base,
      baseDomain: 'sandbox.amocrm.ru',
      accountId: 31000001,
      fixtures: { mainPipelineId: F.mainPipelineId },
    });
    await expect(connectOverHttp()).resolves.toEqual(expect.any(String));
  });

  it('runs manager actions that fire webhooks and shows the result in the state', async () => {
    const token = await connectOverHttp();
    await call(base, 'POST', '/api/v4/webhooks', {
      token,
      body: { destination: receiver.url, settings: ['add_lead', 'status_lead', 'update_lead'] },
    });
    const created = await control('POST', '/leads', { name: 'Walk-in', price: 100 });
    expect(created.status).toBe(201);
    const id = created.json.id as number;
    const moved = await control('POST', `/leads/${id}/move`, {
      statusId: F.secondStages.inProgress,
    });
    expect(moved.json).toMatchObject({
      status_id: F.secondStages.inProgress,
      pipeline_id: F.secondPipelineId,
    });
    const patched = await control('PATCH', `/leads/${id}`, { name: 'Walk-in client', price: 150 });
    expect(patched.json).toMatchObject({ name: 'Walk-in client', price: 150 });
    expect((await control('POST', '/webhooks/flush')).status).toBe(204);

    const kinds = receiver.hits.map((h) => [...new URLSearchParams(h.body).keys()][0]);
    expect(kinds).toEqual(['leads[add][0][id]', 'leads[update][0][id]', 'leads[update][0][id]']);
    expect(formValue(receiver.hits[1]?.body ?? '', 'leads[status][0][pipeline_id]')).toBe(
      String(F.secondPipelineId),
    );

    const state = (await control('GET', '/state')).json;
    expect(state.leads).toHaveLength(1);
    expect(state.webhooks).toHaveLength(1);
    expect(state.deliveries).toHaveLength(3);
    expect(Object.keys(state)).toEqual(
      expect.arrayContaining(['leads', 'contacts', 'notes', 'links', 'webhooks', 'deliveries']),
    );

    const bad = await control('POST', `/leads/${id}/move`, { statusId: F.unsortedStatusId });
    expect(bad.status).toBe(400);
    expect((await control('POST', '/leads/999/move', { statusId: 142 })).status).toBe(404);
  });

  it('sets and clears faults, and keeps control routes out of the request log', async () => {
    const token = await connectOverHttp();
    const get = () => call(base, 'GET', '/api/v4/account', { token });

    await control('POST', '/faults', { outage: true });
    expect((await get()).status).toBe(503);
    await control('POST', '/faults', { outage: false, blocked: true });
    expect((await get()).status).toBe(403);
    await control('POST', '/faults', {
      blocked: false,
      failNext: { pathPattern: '^/api/v4/acc', count: 1, status: 502 },
    });
    expect((await get()).status).toBe(502);
    expect((await get()).status).toBe(200);
    await control('POST', '/faults', { dropAfterCommit: { path: '/api/v4/account', count: 1 } });
    await expect(get()).rejects.toThrow();
    const state = await control('POST', '/faults', { rateLimit: 2, latencyMs: 0 });
    expect(state.json).toMatchObject({ rateLimit: 2, outage: false, blocked: false });
    await control('POST', '/faults', { expireAccessTokens: true });
    expect((await get()).status).toBe(401);

    const log = (await control('GET', '/requests')).json as { path: string; status: number }[];
    expect(log.every((e) => !e.path.startsWith('/_sandbox'))).toBe(true);
    expect(log.map((e) => e.status)).toEqual([200, 503, 403, 502, 200, 200, 401]);
    expect((await control('POST', '/reset-log')).status).toBe(204);
    expect((await control('GET', '/requests')).json).toEqual([]);

    await control('POST', '/faults', { revokeGrant: true });
    const refreshed = await call(base, 'POST', '/oauth2/access_token', {
      body: { grant_type: 'refresh_token' },
    });
    expect(refreshed.status).toBe(400);
  });

  it('serves a page listing leads with contact and stage, whose form moves a lead', async () => {
    const token = await connectOverHttp();
    const res = await call(base, 'POST', '/api/v4/leads/complex', {
      token,
      body: [
        {
          name: 'Lead #12 - Loft <Arbat>',
          _embedded: {
            contacts: [
              {
                name: 'Olga',
                custom_fields_values: [
                  { field_code: 'PHONE', values: [{ value: '+79990001122' }] },
                ],
              },
            ],
          },
        },
      ],
    });
    const id = res.json[0].id as number;
    const page = await call(base, 'GET', '/');
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(page.text).toContain('Lead #12 - Loft &lt;Arbat&gt;');
    expect(page.text).toContain('Olga');
    expect(page.text).toContain('+79990001122');
    expect(page.text).toContain('Первичный контакт');
    expect(page.text).toContain(`action="/_sandbox/leads/${id}/move"`);
    expect(page.text).not.toMatch(/<(script|link)[^>]+(src|href)=/);

    const submit = await call(base, 'POST', `/_sandbox/leads/${id}/move`, {
      rawBody: `stage=${F.mainPipelineId}%3A${F.stages.decision}`,
      contentType: 'application/x-www-form-urlencoded',
    });
    expect(submit.status).toBe(303);
    expect(submit.headers.get('location')).toBe('/');
    expect(sb.leads()[0]?.status_id).toBe(F.stages.decision);
    expect((await call(base, 'GET', '/')).text).toContain('Принимают решение');
  });
});
