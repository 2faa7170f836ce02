import { startSandbox, type AmoSandbox } from './index';
import { call, client, connect, refreshBody } from './spec-helpers';

/** Largest number of entries inside any window [t, t + 1000 ms). */
function maxInRollingSecond(times: number[]): number {
  const sorted = [...times].sort((a, b) => a - b);
  let max = 0;
  let start = 0;
  for (let end = 0; end < sorted.length; end++) {
    while ((sorted[end] ?? 0) - (sorted[start] ?? 0) >= 1000) start++;
    max = Math.max(max, end - start + 1);
  }
  return max;
}

describe('sandbox faults and limits', () => {
  let sb: AmoSandbox;
  let api: ReturnType<typeof client>;
  let access: string;

  beforeEach(async () => {
    sb = await startSandbox();
    access = (await connect(sb)).access;
    api = client(sb, access);
  });
  afterEach(async () => {
    await sb.stop();
  });

  describe('rate limit', () => {
    it('admits at most 7 requests per token in a burst and answers the rest 429 with retry_after', async () => {
      const results = await Promise.all(
        Array.from({ length: 20 }, () => api.get('/api/v4/account')),
      );
      const ok = results.filter((r) => r.status === 200);
      const limited = results.filter((r) => r.status === 429);
      expect(ok).toHaveLength(7);
      expect(limited).toHaveLength(13);
      expect(limited[0]?.headers.get('content-type')).toContain('application/problem+json');
      expect(limited[0]?.json).toEqual({
        title: 'Too Many Requests',
        type: 'https://httpstatus.es/429',
        status: 429,
        detail: expect.any(String),
        retry_after: 300,
      });
      const log = sb.requestLog().filter((e) => e.path === '/api/v4/account');
      expect(log).toHaveLength(20);
      expect(log.every((e) => e.token && e.token.length < 20 && !access.includes(e.token))).toBe(
        true,
      );
      expect(
        maxInRollingSecond(log.filter((e) => e.status !== 429).map((e) => e.at)),
      ).toBeLessThanOrEqual(7);
    });

    it('uses a rolling window, not a fixed one, and counts each token separately in token scope', async () => {
      sb.configure({ rateLimitScope: 'token' });
      sb.setRateLimit(3);
      const burst = () => Promise.all([1, 2, 3].map(() => api.get('/api/v4/account')));
      expect((await burst()).map((r) => r.status)).toEqual([200, 200, 200]);
      await new Promise((r) => setTimeout(r, 500));
      expect((await api.get('/api/v4/account')).status).toBe(429);
      const other = client(sb, (await connect(sb)).access);
      expect((await other.get('/api/v4/account')).status).toBe(200);
      await new Promise((r) => setTimeout(r, 550));
      expect((await api.get('/api/v4/account')).status).toBe(200);
      const mine = sb.requestLog().find((e) => e.token)?.token;
      const accepted = sb
        .requestLog()
        .filter((e) => e.token === mine && e.status !== 429)
        .map((e) => e.at);
      expect(accepted).toHaveLength(4);
      expect(maxInRollingSecond(accepted)).toBeLessThanOrEqual(3);
    });
  });

  it('answers every API and OAuth request 403 with an nginx HTML page while blocked', async () => {
    sb.setBlocked(true);
    const res = await api.get('/api/v4/leads');
    expect(res.status).toBe(403);
    expect(res.headers.get('content-type')).toContain('text/html');
    expect(res.text).toContain('<center><h1>403 Forbidden</h1></center>');
    expect(res.text).toContain('nginx');
    expect((await call(sb.url, 'POST', '/oauth2/access_token', { body: {} })).status).toBe(403);
    sb.setBlocked(false);
    expect((await api.get('/api/v4/account')).status).toBe(200);
  });

  it('answers 503 to API and OAuth during an outage while control routes keep working', async () => {
    sb.setOutage(true);
    expect((await api.get('/api/v4/account')).status).toBe(503);
    const pair = await call(sb.url, 'POST', '/oauth2/access_token', { body: refreshBody(sb, 'x') });
    expect(pair.status).toBe(503);
    expect((await call(sb.url, 'GET', '/_sandbox/state')).status).toBe(200);
    sb.setOutage(false);
    expect((await api.get('/api/v4/account')).status).toBe(200);
  });

  it('fails the next N matching requests with the given status and body, then recovers', async () => {
    sb.failNext({ method: 'POST', path: '/api/v4/leads', count: 2, status: 500 });
    sb.failNext({
      path: /^\/api\/v4\/contacts/,
      count: 1,
      status: 504,
      body: { title: 'Gateway Timeout' },
    });
    expect((await api.get('/api/v4/leads')).status).toBe(204);
    const first = await api.post('/api/v4/leads', [{ name: 'x' }]);
    expect(first.status).toBe(500);
    expect(first.json).toMatchObject({ status: 500, type: 'https://httpstatus.es/500' });
    expect((await api.post('/api/v4/leads', [{ name: 'x' }])).status).toBe(500);
    expect(sb.leads()).toHaveLength(0);
    expect((await api.post('/api/v4/leads', [{ name: 'x' }])).status).toBe(200);
    expect(sb.leads()).toHaveLength(1);
    const contacts = await api.get('/api/v4/contacts?query=x');
    expect(contacts.status).toBe(504);
    expect(contacts.json).toEqual({ title: 'Gateway Timeout' });
  });

  it('adds latency to API requests', async () => {
    sb.setLatency(150);
    const started = Date.now();
    expect((await api.get('/api/v4/account')).status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    sb.setLatency(0);
  });

  it('applies a write and then drops the connection without a response', async () => {
    sb.dropAfterCommit({ method: 'POST', path: '/api/v4/leads/complex', count: 1 });
    await expect(
      api.post('/api/v4/leads/complex', [{ name: 'lost reply', request_id: 'x' }]),
    ).rejects.toThrow();
    expect(sb.leads().map((l) => l.name)).toEqual(['lost reply']);
    const entry = sb.requestLog().find((e) => e.path === '/api/v4/leads/complex');
    expect(entry).toMatchObject({ status: 200, dropped: true });
    expect(entry?.body).toEqual([{ name: 'lost reply', request_id: 'x' }]);
    // the marker can be found afterwards, which is how a client resolves the unknown outcome
    expect((await api.get('/api/v4/leads?query=lost reply')).status).toBe(200);
    expect((await api.post('/api/v4/leads/complex', [{ name: 'fine' }])).status).toBe(200);
  });

  it('logs API and OAuth requests but not control routes, and resets the log', async () => {
    await api.get('/api/v4/account');
    await call(sb.url, 'GET', '/_sandbox/state');
    const log = sb.requestLog();
    expect(log.map((e) => `${e.method} ${e.path} ${e.status}`)).toEqual([
      'POST /oauth2/access_token 200',
      'GET /api/v4/account 200',
    ]);
    expect(log[1]?.at).toEqual(expect.any(Number));
    sb.resetLog();
    expect(sb.requestLog()).toEqual([]);
  });
});
