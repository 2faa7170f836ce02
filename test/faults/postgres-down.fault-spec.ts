import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import request from 'supertest';
import { App } from 'supertest/types';
import { AmoSandbox, SANDBOX_FIXTURES } from '../../sandbox';
import { connectAmo, createListeningAmoApp, startAmo } from '../helpers/amo';
import { admin, createProperty, leadBody } from '../helpers/factories';
import { TestApp, truncateAll } from '../helpers/test-app';
import { countLossAndDuplicates, eventually, faultEnv, onServer, syncIdle } from './fault-helpers';
import { describeUnless } from '../helpers/skip';

/**
 * Stops and restarts the local PostgreSQL cluster (Debian's pg_ctlcluster, as root). Only
 * where that is possible: a server run on a machine that owns its PostgreSQL.
 */
const canControlPostgres =
  onServer &&
  process.getuid?.() === 0 &&
  existsSync('/usr/bin/pg_ctlcluster') &&
  existsSync('/etc/postgresql');
const describeIfPossible = describeUnless(
  canControlPostgres
    ? null
    : 'needs DATABASE_URL on a machine whose PostgreSQL cluster this user can restart (root, pg_ctlcluster)',
);

function pgCluster(action: 'start' | 'stop' | 'restart'): void {
  const version = readdirSync('/etc/postgresql')[0];
  execFileSync('pg_ctlcluster', ['--skip-systemctl-redirect', version, 'main', action], {
    stdio: 'ignore',
  });
}

function ensurePostgresUp(): void {
  try {
    execFileSync('pg_isready', ['-h', '127.0.0.1', '-q']);
  } catch {
    pgCluster('start');
  }
}

describeIfPossible('Faults on the database side', () => {
  let sb: AmoSandbox;
  let t: TestApp & { url: string };
  let server: App;

  beforeAll(async () => {
    // amoCRM's real retry schedule is minutes; the sandbox's is shortened, same rules
    sb = await startAmo({ webhookRetryDelaysMs: [1_500, 3_000, 6_000, 12_000] });
    t = await createListeningAmoApp(
      sb,
      faultEnv(sb, { LOG_LEVEL: process.env.FAULT_LOG_LEVEL ?? 'silent' }),
    );
    server = t.app.getHttpServer();
    await truncateAll(t.dataSource);
    await connectAmo(server, sb);
  });
  afterAll(async () => {
    try {
      ensurePostgresUp();
    } finally {
      await t.close();
      await sb.stop();
    }
  });

  it('PostgreSQL restarted during intake: nothing acknowledged with 201 is lost', async () => {
    const propertyId = (await createProperty(server)).id;
    const acknowledged: string[] = [];
    const statuses = new Map<number, number>();
    const stopAt = Date.now() + 8_000;
    const worker = async () => {
      while (Date.now() < stopAt) {
        const res = await request(server).post('/api/leads').send(leadBody(propertyId));
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        if (res.status === 201) acknowledged.push(res.body.id as string);
      }
    };
    const restart = (async () => {
      await new Promise((r) => setTimeout(r, 2_000));
      pgCluster('restart');
    })();
    await Promise.all([worker(), worker(), worker(), worker(), restart]);
    process.stdout.write(
      `[fault] PostgreSQL restart: answers ${JSON.stringify(Object.fromEntries(statuses))}\n`,
    );

    await eventually(() => syncIdle(t.dataSource), 90_000);
    const report = await countLossAndDuplicates(
      'PostgreSQL restarted during intake',
      t.dataSource,
      sb,
      acknowledged,
    );
    expect(report).toMatchObject({ lost: 0, duplicated: 0 });
    expect(acknowledged.length).toBeGreaterThan(0);
    expect([...statuses.keys()].filter((s) => s !== 201 && s !== 503)).toEqual([]);
  });

  it("webhook while the database is down: 5xx, then applied from amoCRM's retry", async () => {
    const propertyId = (await createProperty(server)).id;
    const { id } = (await request(server).post('/api/leads').send(leadBody(propertyId)).expect(201))
      .body;
    await eventually(() => syncIdle(t.dataSource));
    const amoId = (await request(server).get(`/api/leads/${id}`).set(admin)).body
      .amoLeadId as number;
    const created = sb.leads().find((l) => l.id === amoId)!.updated_at;
    await eventually(() => Math.floor(Date.now() / 1000) > created);

    pgCluster('stop');
    const before = sb.webhookDeliveries().length;
    sb.moveLead(amoId, { statusId: SANDBOX_FIXTURES.stages.decision });
    await sb.flushWebhooks();
    const firstTry = sb.webhookDeliveries().slice(before);
    expect(firstTry.length).toBeGreaterThan(0);
    expect(firstTry.every((d) => d.status === 503)).toBe(true);
    pgCluster('start');

    await eventually(
      async () =>
        (await request(server).get(`/api/leads/${id}`).set(admin)).body.status === 'NEGOTIATION',
      60_000,
    );
    const later = sb.webhookDeliveries().slice(before);
    process.stdout.write(
      `[fault] webhook while the database is down: deliveries ${later.map((d) => String(d.status)).join(' → ')}, status applied\n`,
    );
    expect(later.some((d) => d.status === 200)).toBe(true);
  });
});
