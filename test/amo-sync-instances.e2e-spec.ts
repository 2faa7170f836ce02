import request from 'supertest';
import { App } from 'supertest/types';
import { AmoSandbox, SANDBOX_FIXTURES } from '../sandbox';
import { amoEnv, connectAmo, maxRequestsInAnySecond, startAmo } from './helpers/amo';
import { createProperty, leadBody } from './helpers/factories';
import { createTestApp, TestApp, truncateAll } from './helpers/test-app';
import { eventually } from './helpers/wait';
import { describeOnServer } from './helpers/skip';

/**
 * Several app instances on one database. The embedded database admits one process and one
 * connection, so these run where CI has a PostgreSQL server.
 */

const MAPPING = JSON.stringify({ fields: { ourLeadId: SANDBOX_FIXTURES.leadFields.ourLeadId } });

describeOnServer('Outbound sync with several instances', () => {
  let sb: AmoSandbox;
  let a: TestApp;
  let b: TestApp;

  const env = (sandbox: AmoSandbox) =>
    amoEnv(sandbox, {
      AMO_MAPPING_JSON: MAPPING,
      SYNC_POLL_INTERVAL_MS: '200',
      SYNC_LEASE_SEC: '2',
      SYNC_CONTACTS_FRESH_MS: '0',
    });

  const openJobs = async (t: TestApp) =>
    (
      await t.dataSource.query(
        `SELECT count(*)::int AS n FROM amo_sync_jobs WHERE state IN ('PENDING','RUNNING','HELD')`,
      )
    )[0].n as number;

  /** Every local lead is in amoCRM exactly once, found by our marker. */
  async function expectEachLeadOnce(t: TestApp): Promise<void> {
    const local: { id: string; amo_lead_id: string | null }[] = await t.dataSource.query(
      'SELECT id, amo_lead_id FROM leads',
    );
    const markers = sb
      .leads()
      .map(
        (l) =>
          l.custom_fields_values?.find((f) => f.field_id === SANDBOX_FIXTURES.leadFields.ourLeadId)
            ?.values[0].value,
      );
    for (const l of local) {
      expect(l.amo_lead_id).not.toBeNull();
      expect(markers.filter((m) => m === l.id)).toHaveLength(1);
    }
  }

  beforeEach(async () => {
    sb = await startAmo();
    a = await createTestApp(env(sb));
    b = await createTestApp(env(sb));
    await truncateAll(a.dataSource);
    await connectAmo(a.app.getHttpServer(), sb);
    sb.resetLog();
  });
  afterEach(async () => {
    await a.close();
    await b.close();
    await sb.stop();
  });

  it('never sends a lead twice, and together stays within 7 requests per rolling second', async () => {
    const servers = [a.app.getHttpServer() as App, b.app.getHttpServer() as App];
    const property = await createProperty(servers[0]);
    for (let i = 0; i < 120; i++) {
      await request(servers[i % 2])
        .post('/api/leads')
        .send(leadBody(property.id, { comment: undefined }))
        .expect(201);
    }
    await eventually(async () => (await openJobs(a)) === 0);
    expect(sb.leads()).toHaveLength(120);
    await expectEachLeadOnce(a);
    expect(maxRequestsInAnySecond(sb)).toBeLessThanOrEqual(7);
  });

  it('lets another instance take over when the active one stops', async () => {
    const property = await createProperty(b.app.getHttpServer());
    await request(a.app.getHttpServer() as App)
      .post('/api/leads')
      .send(leadBody(property.id))
      .expect(201);
    await eventually(async () => (await openJobs(a)) === 0);
    await a.close();
    a = await createTestApp(env(sb)); // keeps afterEach simple; this one starts after b
    await request(b.app.getHttpServer() as App)
      .post('/api/leads')
      .send(leadBody(property.id))
      .expect(201);
    await eventually(async () => (await openJobs(b)) === 0);
    expect(sb.leads()).toHaveLength(2);
    await expectEachLeadOnce(b);
  });
});
