import { startSandbox, type AmoSandbox } from './index';
import { call, client, codeExchangeBody, connect, refreshBody } from './spec-helpers';

const OAUTH_PROBLEM = 'https://developers.amocrm.ru/v3/errors/OAuthProblemJson';

describe('sandbox OAuth2', () => {
  let sb: AmoSandbox;

  beforeEach(async () => {
    sb = await startSandbox();
  });
  afterEach(async () => {
    await sb.stop();
  });

  const token = (body: unknown) => call(sb.url, 'POST', '/oauth2/access_token', { body });

  it('exchanges an authorization code sent as JSON for a JWT-looking access token and an opaque refresh token', async () => {
    const res = await token(codeExchangeBody(sb, sb.issueAuthCode()));
    expect(res.status).toBe(200);
    expect(res.json).toEqual({
      token_type: 'Bearer',
      expires_in: 86400,
      access_token: expect.any(String),
      refresh_token: expect.stringMatching(/^def50200/),
      server_time: expect.any(Number),
    });
    const parts = (res.json.access_token as string).split('.');
    expect(parts).toHaveLength(3);
    const payload = JSON.parse(Buffer.from(parts[1] ?? '', 'base64url').toString());
    expect(payload).toMatchObject({
      account_id: sb.accountId,
      aud: sb.clientId,
      api_domain: expect.any(String),
    });
    expect(payload.exp - payload.iat).toBe(86400);
  });

  it('accepts the code exchange form-encoded, as the official library sends it', async () => {
    const form = new URLSearchParams(codeExchangeBody(sb, sb.issueAuthCode())).toString();
    const res = await call(sb.url, 'POST', '/oauth2/access_token', {
      rawBody: form,
      contentType: 'application/x-www-form-urlencoded',
    });
    expect(res.status).toBe(200);
    expect(res.json.access_token).toEqual(expect.any(String));
  });

  it('rejects a code used twice with "Authorization code has been revoked"', async () => {
    const code = sb.issueAuthCode();
    expect((await token(codeExchangeBody(sb, code))).status).toBe(200);
    const again = await token(codeExchangeBody(sb, code));
    expect(again.status).toBe(400);
    expect(again.headers.get('content-type')).toContain('application/problem+json');
    expect(again.json).toEqual({
      hint: 'Authorization code has been revoked',
      title: 'Некорректный запрос',
      type: OAUTH_PROBLEM,
      status: 400,
      detail: 'В запросе отсутствует ряд параметров или параметры невалидны',
    });
  });

  it('rejects an expired code with "Authorization code has expired"', async () => {
    const short = await startSandbox({ authCodeTtlSec: 0 });
    try {
      const res = await call(short.url, 'POST', '/oauth2/access_token', {
        body: codeExchangeBody(short, short.issueAuthCode()),
      });
      expect(res.status).toBe(400);
      expect(res.json.hint).toBe('Authorization code has expired');
    } finally {
      await short.stop();
    }
  });

  it.each([
    ['client_secret', 'wrong', 'Check the `client_secret` parameter'],
    ['client_id', 'someone-else', 'Check the `client_id` parameter'],
    ['redirect_uri', 'https://evil.example/cb', 'Redirect URI is not associated with client'],
    ['code', 'def50200garbage', 'Cannot decrypt the authorization code'],
  ])('rejects a wrong %s with its hint', async (field, value, hint) => {
    const body = { ...codeExchangeBody(sb, sb.issueAuthCode()), [field]: value };
    const res = await token(body);
    expect(res.status).toBe(400);
    expect(res.json.hint).toBe(hint);
  });

  it('rotates the pair on refresh and, in strict mode, refuses the spent refresh token', async () => {
    const first = await connect(sb);
    const rotated = await token(refreshBody(sb, first.refresh));
    expect(rotated.status).toBe(200);
    expect(rotated.json.refresh_token).not.toBe(first.refresh);
    expect(rotated.json.access_token).not.toBe(first.access);

    const reused = await token(refreshBody(sb, first.refresh));
    expect(reused.status).toBe(400);
    expect(reused.json.hint).toBe('Invalid refresh token');

    expect((await token(refreshBody(sb, rotated.json.refresh_token))).status).toBe(200);
    expect(sb.refreshLog().map((e) => e.outcome)).toEqual(['ok', 'reused', 'ok']);
    expect(sb.refreshLog()[1]?.refreshToken).toBe(first.refresh);
  });

  it('in lenient mode keeps the previous refresh token valid until its successor is used', async () => {
    const lenient = await startSandbox({ strictRefresh: false });
    try {
      const t = (body: unknown) => call(lenient.url, 'POST', '/oauth2/access_token', { body });
      const first = await connect(lenient);
      const second = await t(refreshBody(lenient, first.refresh));
      expect(second.status).toBe(200);
      // the response to the first refresh was "lost": the old token still works
      const retry = await t(refreshBody(lenient, first.refresh));
      expect(retry.status).toBe(200);
      // using the newest successor retires the old token and its other successor
      expect((await t(refreshBody(lenient, retry.json.refresh_token))).status).toBe(200);
      expect((await t(refreshBody(lenient, first.refresh))).status).toBe(400);
      expect((await t(refreshBody(lenient, second.json.refresh_token))).status).toBe(400);
    } finally {
      await lenient.stop();
    }
  });

  it('answers 401 problem+json for a missing, unknown, expired or revoked access token', async () => {
    const pair = await connect(sb);
    const missing = await call(sb.url, 'GET', '/api/v4/account');
    expect(missing.status).toBe(401);
    expect(missing.headers.get('content-type')).toContain('application/problem+json');
    expect(missing.json).toMatchObject({
      title: 'Unauthorized',
      type: 'https://httpstatus.es/401',
      status: 401,
    });
    expect((await client(sb, 'not-a-token').get('/api/v4/account')).status).toBe(401);

    expect((await client(sb, pair.access).get('/api/v4/account')).status).toBe(200);
    sb.expireAccessTokens();
    expect((await client(sb, pair.access).get('/api/v4/account')).status).toBe(401);

    const refreshed = await token(refreshBody(sb, pair.refresh));
    expect(refreshed.status).toBe(200);
    expect((await client(sb, refreshed.json.access_token).get('/api/v4/account')).status).toBe(200);

    sb.revokeGrant();
    expect((await client(sb, refreshed.json.access_token).get('/api/v4/account')).status).toBe(401);
    const afterRevoke = await token(refreshBody(sb, refreshed.json.refresh_token));
    expect(afterRevoke.status).toBe(400);
    expect(afterRevoke.json.hint).toBe('Invalid refresh token');
    // a new authorization works again
    await expect(connect(sb)).resolves.toBeDefined();
  });

  it('expires access tokens after accessTokenTtlSec', async () => {
    const short = await startSandbox({ accessTokenTtlSec: 0 });
    try {
      const pair = await connect(short);
      expect((await client(short, pair.access).get('/api/v4/account')).status).toBe(401);
    } finally {
      await short.stop();
    }
  });

  it('redirects the consent page to the redirect URI with code, state, referer and client_id', async () => {
    const res = await call(
      sb.url,
      'GET',
      `/oauth?client_id=${sb.clientId}&state=s-123&mode=post_message`,
    );
    expect(res.status).toBe(302);
    const location = new URL(res.headers.get('location') ?? '');
    expect(`${location.origin}${location.pathname}`).toBe(sb.redirectUri);
    expect(location.searchParams.get('state')).toBe('s-123');
    expect(location.searchParams.get('referer')).toBe('sandbox.amocrm.ru');
    expect(location.searchParams.get('client_id')).toBe(sb.clientId);
    const code = location.searchParams.get('code') ?? '';
    expect((await token(codeExchangeBody(sb, code))).status).toBe(200);

    const noState = await call(sb.url, 'GET', `/oauth?client_id=${sb.clientId}`);
    expect(new URL(noState.headers.get('location') ?? '').searchParams.has('state')).toBe(false);
  });
});
