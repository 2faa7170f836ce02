import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSandbox, type AmoSandbox } from './index';
import { call } from './spec-helpers';

function claims(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString()) as Record<
    string,
    unknown
  >;
}

describe('sandbox long-lived tokens', () => {
  let sb: AmoSandbox;

  beforeEach(async () => {
    sb = await startSandbox();
  });
  afterEach(async () => {
    await sb.stop();
  });

  it('issues a JWT-shaped token whose exp is its expiry and which opens the API without a refresh token', async () => {
    const issued = await call(sb.url, 'POST', '/_sandbox/long-lived-token', {
      body: { ttlSec: 7 * 86400 },
    });
    expect(issued.status).toBe(201);
    expect(Object.keys(issued.json as object).sort()).toEqual(['expiresAt', 'token']);
    const token = issued.json.token as string;
    const c = claims(token);
    expect(c.exp).toBe(issued.json.expiresAt);
    expect((c.exp as number) - (c.iat as number)).toBe(7 * 86400);
    expect(c).toMatchObject({ account_id: sb.accountId, base_domain: 'amocrm.ru' });
    const account = await call(sb.url, 'GET', '/api/v4/account', { token });
    expect(account.status).toBe(200);
    expect(account.json.id).toBe(sb.accountId);
  });

  it('answers 401 once the token is revoked, and only that token', async () => {
    const a = sb.issueLongLivedToken();
    const b = sb.issueLongLivedToken();
    const revoked = await call(sb.url, 'POST', '/_sandbox/long-lived-token/revoke', {
      body: { token: a.token },
    });
    expect(revoked.json).toEqual({ revoked: 1 });
    const refused = await call(sb.url, 'GET', '/api/v4/account', { token: a.token });
    expect(refused.status).toBe(401);
    expect(refused.json.detail).toBe('Token has been revoked');
    expect((await call(sb.url, 'GET', '/api/v4/account', { token: b.token })).status).toBe(200);
  });

  it('answers 401 after expiry (expireAccessTokens) and after the integration is disabled (revokeGrant)', async () => {
    const a = sb.issueLongLivedToken();
    sb.expireAccessTokens();
    const expired = await call(sb.url, 'GET', '/api/v4/account', { token: a.token });
    expect(expired.status).toBe(401);
    expect(expired.json.detail).toBe('Token has expired');
    const b = sb.issueLongLivedToken();
    sb.revokeGrant();
    expect((await call(sb.url, 'GET', '/api/v4/account', { token: b.token })).status).toBe(401);
  });

  it('refuses a lifetime over 5 years with 400', async () => {
    const res = await call(sb.url, 'POST', '/_sandbox/long-lived-token', {
      body: { ttlSec: 6 * 366 * 86400 },
    });
    expect(res.status).toBe(400);
    expect(res.json.error).toMatch(/ttlSec/);
  });

  it('keeps long-lived tokens in the state file across a restart', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sbx-llt-'));
    const stateFile = join(dir, 'state.json');
    try {
      const first = await startSandbox({ stateFile });
      const { token } = first.issueLongLivedToken();
      await first.stop();
      const second = await startSandbox({ stateFile });
      try {
        expect((await call(second.url, 'GET', '/api/v4/account', { token })).status).toBe(200);
      } finally {
        await second.stop();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('sandbox as a Kommo host', () => {
  let sb: AmoSandbox;

  beforeEach(async () => {
    sb = await startSandbox({ platform: 'kommo', subdomain: 'agency' });
  });
  afterEach(async () => {
    await sb.stop();
  });

  it('puts the account on kommo.com: base domain, consent referer, token claims and subdomain lookup', async () => {
    expect(sb.baseDomain).toBe('agency.kommo.com');
    const info = await call(sb.url, 'GET', '/_sandbox/info');
    expect(info.json).toMatchObject({
      baseDomain: 'agency.kommo.com',
      platform: 'kommo',
      consentPage: 'https://www.kommo.com/oauth',
    });
    const consent = await call(sb.url, 'GET', `/oauth?client_id=${sb.clientId}&state=s`);
    expect(consent.status).toBe(302);
    const target = new URL(consent.headers.get('location') ?? '');
    expect(target.searchParams.get('referer')).toBe('agency.kommo.com');
    const body = {
      client_id: sb.clientId,
      client_secret: sb.clientSecret,
      grant_type: 'authorization_code',
      code: target.searchParams.get('code'),
      redirect_uri: sb.redirectUri,
    };
    const pair = await call(sb.url, 'POST', '/oauth2/access_token', { body });
    expect(claims(pair.json.access_token as string).base_domain).toBe('kommo.com');
    const lookup = await fetch(`${sb.url}/oauth2/account/current/subdomain`, {
      headers: { 'X-Refresh-Token': pair.json.refresh_token as string },
    });
    expect(await lookup.json()).toMatchObject({
      subdomain: 'agency',
      domain: 'agency.kommo.com',
      top_level_domain: 'com',
    });
  });

  it('answers an unknown integration on the consent screen in English', async () => {
    const res = await call(sb.url, 'GET', '/oauth?client_id=nope');
    expect(res.status).toBe(400);
    expect(res.text).toContain('Integration not found');
  });
});
