import request from 'supertest';
import { App } from 'supertest/types';
import { AmoSandbox } from '../../sandbox';
import { connectAmo, expireStoredToken, startAmo } from '../helpers/amo';
import { createProperty, leadBody } from '../helpers/factories';
import { ADMIN_KEY, createTestApp, TestApp, truncateAll } from '../helpers/test-app';
import {
  countLossAndDuplicates,
  describeOnServer,
  eventually,
  faultEnv,
  syncIdle,
} from './fault-helpers';

describe('Faults on the amoCRM side', () => {
  let sb: AmoSandbox;
  let t: TestApp;
  let server: App;
  let propertyId: string;

  beforeEach(async () => {
    sb = await startAmo();
    t = await createTestApp(faultEnv(sb));
    server = t.app.getHttpServer();
    await truncateAll(t.dataSource);
    await connectAmo(server, sb);
    propertyId = (await createProperty(server)).id;
  });
  afterEach(async () => {
    await t.close();
    await sb.stop();
  });

  async function postLeads(n: number): Promise<string[]> {
    const ids: string[] = [];
    for (let i = 0; i < n; i++) {
      ids.push(
        (await request(server).post('/api/leads').send(leadBody(propertyId)).expect(201)).body.id,
      );
    }
    return ids;
  }

  it('amoCRM outage during intake: every lead answered 201, none lost or duplicated', async () => {
    sb.setOutage(true);
    const ids = await postLeads(60);
    await new Promise((r) => setTimeout(r, 1500));
    sb.setOutage(false);
    await eventually(() => syncIdle(t.dataSource));
    expect(
      await countLossAndDuplicates('amoCRM outage during intake', t.dataSource, sb, ids),
    ).toEqual({ leads: 60, lost: 0, duplicated: 0 });
  });

  it('commit-then-drop: amoCRM applies creates whose answers are lost', async () => {
    sb.dropAfterCommit({ method: 'POST', path: '/api/v4/leads/complex', count: 3 });
    const ids = await postLeads(30);
    await eventually(() => syncIdle(t.dataSource));
    expect(await countLossAndDuplicates('commit-then-drop', t.dataSource, sb, ids)).toEqual({
      leads: 30,
      lost: 0,
      duplicated: 0,
    });
  });

  it('revoked grant, then reconnect: jobs wait and drain', async () => {
    sb.revokeGrant();
    await expireStoredToken(t.dataSource, sb);
    const ids = await postLeads(20);
    await eventually(async () => {
      const [{ n }]: { n: number }[] = await t.dataSource.query(
        `SELECT count(*)::int AS n FROM amo_sync_jobs WHERE state = 'HELD'`,
      );
      return n === 20;
    });
    expect(sb.leads()).toHaveLength(0);
    await connectAmo(server, sb);
    await eventually(() => syncIdle(t.dataSource));
    expect(
      await countLossAndDuplicates('revoked grant then reconnect', t.dataSource, sb, ids),
    ).toEqual({ leads: 20, lost: 0, duplicated: 0 });
  });
});

describeOnServer('Fault: two app instances with an expired token', () => {
  it('refreshes once, sends no refresh token twice, loses and duplicates nothing', async () => {
    const sb = await startAmo();
    const a = await createTestApp(faultEnv(sb));
    const b = await createTestApp(faultEnv(sb));
    try {
      await truncateAll(a.dataSource);
      const servers = [a.app.getHttpServer() as App, b.app.getHttpServer() as App];
      await connectAmo(servers[0], sb);
      const propertyId = (await createProperty(servers[0])).id;
      await expireStoredToken(a.dataSource, sb);
      const ids: string[] = [];
      const posts = Array.from({ length: 40 }, (_, i) =>
        request(servers[i % 2])
          .post('/api/leads')
          .send(leadBody(propertyId))
          .expect(201),
      );
      const tests = Array.from({ length: 10 }, (_, i) =>
        request(servers[i % 2])
          .get('/api/integrations/amo-crm/test')
          .set('Authorization', `Bearer ${ADMIN_KEY}`),
      );
      for (const res of await Promise.all(posts)) ids.push(res.body.id);
      await Promise.all(tests);
      await eventually(() => syncIdle(a.dataSource));
      expect(sb.refreshLog().map((r) => r.outcome)).toEqual(['ok']);
      expect(
        await countLossAndDuplicates('two instances, expired token', a.dataSource, sb, ids),
      ).toEqual({ leads: 40, lost: 0, duplicated: 0 });
    } finally {
      await a.close();
      await b.close();
      await sb.stop();
    }
  });
});
