import { startSandbox, type AmoSandbox } from './index';
import { call, client, connect, refreshBody } from './spec-helpers';

describe('sandbox realism: rate limit, block escalation, refresh grace, settings route', () => {
  let sb: AmoSandbox;

  afterEach(async () => {
    await sb.stop();
  });

  async function burst(api: ReturnType<typeof client>, n: number): Promise<number[]> {
    const res = await Promise.all(Array.from({ length: n }, () => api.get('/api/v4/account')));
    return res.map((r) => r.status);
  }

  it('answers 429 with the documented body and retry_after 300 by default', async () => {
    sb = await startSandbox({ rateLimitPerSecond: 2 });
    const api = client(sb, (await connect(sb)).access);
    await burst(api, 2);
    const res = await api.get('/api/v4/account');
    expect(res.status).toBe(429);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(res.json).toEqual({
      title: 'Too Many Requests',
      type: 'https://httpstatus.es/429',
      status: 429,
      detail: 'You have sent too many requests in a given amount of time. Please try again later.',
      retry_after: 300,
    });
  });

  it('takes retry_after from the option and from the settings route', async () => {
    sb = await startSandbox({ rateLimitPerSecond: 1, rateLimitRetryAfterSec: 2 });
    const api = client(sb, (await connect(sb)).access);
    await burst(api, 1);
    expect((await api.get('/api/v4/account')).json.retry_after).toBe(2);
    const set = await call(sb.url, 'POST', '/_sandbox/settings', {
      body: { rateLimitRetryAfterSec: 7 },
    });
    expect(set.status).toBe(200);
    expect(set.json.rateLimitRetryAfterSec).toBe(7);
    expect((await api.get('/api/v4/account')).json.retry_after).toBe(7);
  });

  it('counts all tokens of the integration against one budget by default', async () => {
    sb = await startSandbox({ rateLimitPerSecond: 3 });
    const first = client(sb, (await connect(sb)).access);
    const second = client(sb, (await connect(sb)).access);
    expect(await burst(first, 3)).toEqual([200, 200, 200]);
    expect((await second.get('/api/v4/account')).status).toBe(429);
  });

  it('gives each token its own budget in token scope', async () => {
    sb = await startSandbox({ rateLimitPerSecond: 3, rateLimitScope: 'token' });
    const first = client(sb, (await connect(sb)).access);
    const second = client(sb, (await connect(sb)).access);
    expect(await burst(first, 3)).toEqual([200, 200, 200]);
    expect((await second.get('/api/v4/account')).status).toBe(200);
  });

  it('blocks the account with the 403 page after repeated 429s when escalation is on', async () => {
    sb = await startSandbox({ rateLimitPerSecond: 1, blockAfter429s: 3 });
    const api = client(sb, (await connect(sb)).access);
    const statuses = [];
    for (let i = 0; i < 5; i++) statuses.push((await api.get('/api/v4/account')).status);
    expect(statuses).toEqual([200, 429, 429, 429, 403]);
    const blocked = await api.get('/api/v4/leads');
    expect(blocked.headers.get('content-type')).toContain('text/html');
    expect(sb.faultState().blocked).toBe(true);
    sb.clearFaults();
    expect(sb.faultState().blocked).toBe(false);
  });

  it('never blocks on 429s while escalation is off (the default)', async () => {
    sb = await startSandbox({ rateLimitPerSecond: 1 });
    const api = client(sb, (await connect(sb)).access);
    const statuses = [];
    for (let i = 0; i < 6; i++) statuses.push((await api.get('/api/v4/account')).status);
    expect(statuses).toEqual([200, 429, 429, 429, 429, 429]);
  });

  async function refresh(
    token: string,
  ): Promise<{ status: number; access: string; refresh: string }> {
    const res = await call(sb.url, 'POST', '/oauth2/access_token', {
      body: refreshBody(sb, token),
    });
    return {
      status: res.status,
      access: res.json?.access_token as string,
      refresh: res.json?.refresh_token as string,
    };
  }

  it('keeps the old refresh token working until the new access token is first used (Kommo grace)', async () => {
    sb = await startSandbox({ refreshMode: 'until-access-used' });
    const pair = await connect(sb);
    const next = await refresh(pair.refresh);
    expect(next.status).toBe(200);
    // The answer was "lost": the client retries with the old token and gets another pair.
    const retried = await refresh(pair.refresh);
    expect(retried.status).toBe(200);
    expect((await client(sb, retried.access).get('/api/v4/account')).status).toBe(200);
    expect((await refresh(pair.refresh)).status).toBe(400);
    // The pair issued beside the used access token survives; the sibling pair is retired.
    expect((await refresh(retried.refresh)).status).toBe(200);
    expect((await refresh(next.refresh)).status).toBe(400);
    expect(sb.refreshLog().map((e) => e.outcome)).toEqual(['ok', 'ok', 'reused', 'ok', 'reused']);
  });

  it('refuses a second use of a refresh token in strict mode (the default)', async () => {
    sb = await startSandbox();
    const pair = await connect(sb);
    expect((await refresh(pair.refresh)).status).toBe(200);
    const again = await refresh(pair.refresh);
    expect(again.status).toBe(400);
  });

  it('switches the refresh mode from the settings route', async () => {
    sb = await startSandbox();
    const set = await call(sb.url, 'POST', '/_sandbox/settings', {
      body: { refreshMode: 'until-access-used' },
    });
    expect(set.json.refreshMode).toBe('until-access-used');
    const pair = await connect(sb);
    expect((await refresh(pair.refresh)).status).toBe(200);
    expect((await refresh(pair.refresh)).status).toBe(200);
  });

  it('refuses unknown settings and bad values with a readable 400', async () => {
    sb = await startSandbox();
    const post = (body: object) => call(sb.url, 'POST', '/_sandbox/settings', { body });
    const unknown = await post({ retryAfter: 5 });
    expect(unknown.status).toBe(400);
    expect(unknown.json.error).toBe('unknown setting retryAfter');
    expect((await post({ rateLimitScope: 'ip' })).json.error).toBe(
      'rateLimitScope must be one of token, integration',
    );
    expect((await post({ blockAfter429s: -1 })).status).toBe(400);
    expect((await post({ duplicateControl: 'yes' })).status).toBe(400);
    expect((await post({ webhookAccountBlock: 'none' })).status).toBe(400);
    expect((await post({ timezone: 'Mars/Olympus' })).json.error).toBe(
      'timezone must be an IANA time zone such as Europe/Moscow',
    );
    const state = await call(sb.url, 'GET', '/_sandbox/settings');
    expect(state.json).toEqual({
      rateLimitRetryAfterSec: 300,
      rateLimitScope: 'integration',
      blockAfter429s: 0,
      blockWindowMs: 60000,
      refreshMode: 'strict',
      duplicateControl: false,
      absentTrackingFields: [],
      timezone: 'Europe/Moscow',
      webhookAccountBlock: 'full',
    });
  });
});
