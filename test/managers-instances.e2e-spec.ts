import request from 'supertest';
import { App } from 'supertest/types';
import { AmoSandbox, SANDBOX_FIXTURES } from '../sandbox';
import { amoEnv, connectAmo, startAmo } from './helpers/amo';
import { createProperty, leadBody } from './helpers/factories';
import { createTestApp, TestApp, truncateAll } from './helpers/test-app';
import { eventually } from './helpers/wait';

/**
 * Round-robin across instances and restarts: the cursor is one row in PostgreSQL. The embedded
 * database admits one process and one connection, so this runs where CI has a server.
 */
const onServer = process.env.TEST_DB_KIND === 'server';
const describeOnServer = onServer ? describe : describe.skip;
const U = SANDBOX_FIXTURES.users;
const MANAGERS = [U.manager, U.agent, U.manager3];

describeOnServer('Round-robin managers with two instances (needs a PostgreSQL server)', () => {
  let sb: AmoSandbox;
  const apps: TestApp[] = [];
  const start = async () => {
    const app = await createTestApp(
      amoEnv(sb, {
        AMO_MAPPING_JSON: JSON.stringify({
          fields: { ourLeadId: SANDBOX_FIXTURES.leadFields.ourLeadId },
          managers: { roundRobin: MANAGERS },
        }),
        SYNC_POLL_INTERVAL_MS: '200',
        SYNC_LEASE_SEC: '2',
        SYNC_CONTACTS_FRESH_MS: '0',
      }),
    );
    apps.push(app);
    return app;
  };
  const openJobs = async (t: TestApp) =>
    (
      await t.dataSource.query(
        `SELECT count(*)::int AS n FROM amo_sync_jobs WHERE state IN ('PENDING','RUNNING','HELD')`,
      )
    )[0].n as number;

  beforeEach(async () => {
    sb = await startAmo();
  });
  afterEach(async () => {
    for (const app of apps.splice(0)) await app.close();
    await sb.stop();
  });

  it('deals 9 leads over 3 managers 3 each, in turn, across two instances and a restart', async () => {
    const a = await start();
    const b = await start();
    await truncateAll(a.dataSource);
    await connectAmo(a.app.getHttpServer(), sb);
    const property = await createProperty(a.app.getHttpServer());
    const postVia = async (t: TestApp) => {
      await request(t.app.getHttpServer() as App)
        .post('/api/leads')
        .send(leadBody(property.id, { comment: undefined }))
        .expect(201);
      // one lead per pass, so every lead takes its own turn from the shared cursor
      await eventually(async () => (await openJobs(t)) === 0);
    };
    for (const t of [a, b, a, b]) await postVia(t);
    await a.close();
    apps.splice(apps.indexOf(a), 1);
    const c = await start();
    for (const t of [b, c, b, c, b]) await postVia(t);

    const order = sb.leads().map((l) => l.responsible_user_id);
    expect(order).toHaveLength(9);
    expect(order).toEqual([...MANAGERS, ...MANAGERS, ...MANAGERS]);
    const rows: { n: number }[] = await b.dataSource.query(
      `SELECT count(*)::int AS n FROM leads WHERE amo_responsible_source = 'ROUND_ROBIN' GROUP BY amo_responsible_user_id`,
    );
    expect(rows.map((r) => r.n)).toEqual([3, 3, 3]);
  });
});

if (!onServer) {
  describe('Round-robin managers with two instances', () => {
    it.skip('needs a PostgreSQL server: the embedded database admits one process', () => undefined);
  });
}
