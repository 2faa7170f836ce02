import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { App } from 'supertest/types';
import { AmoSandbox } from '../sandbox';
import { amoEnv, connectAmo, startAmo } from './helpers/amo';
import { admin, createProperty, leadBody } from './helpers/factories';
import { createTestApp, TestApp, truncateAll } from './helpers/test-app';
import { eventually } from './helpers/wait';

/**
 * The demo's second day: the app and amoCRM both restart, the database and amoCRM's account
 * (the sandbox's state file) are kept. The stored token still works and new leads get the next
 * amoCRM ids instead of colliding with the ones the database already holds.
 */
describe('amoCRM sync across a restart of the app and of a sandbox with a state file', () => {
  let dir: string;
  let sb: AmoSandbox | undefined;
  let t: TestApp | undefined;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'amo-restart-'));
  });
  afterEach(async () => {
    await t?.close();
    await sb?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  async function boot(port: number): Promise<App> {
    sb = await startAmo({ port, stateFile: join(dir, 'amo.json') });
    t = await createTestApp(amoEnv(sb, { SYNC_POLL_INTERVAL_MS: '200' }));
    return t.app.getHttpServer();
  }

  async function syncedLead(
    server: App,
    id: string,
  ): Promise<{ amoLeadId: number; amoContactId: number }> {
    let lead: { amoLeadId: number; amoContactId: number; sync: { state: string } } | undefined;
    await eventually(async () => {
      lead = (await request(server).get(`/api/leads/${id}`).set(admin)).body;
      return lead?.sync.state === 'SYNCED';
    });
    return lead!;
  }

  it('syncs the next lead with the next amoCRM id and the known contact, without reconnecting', async () => {
    let server = await boot(0);
    const port = sb!.port;
    await truncateAll(t!.dataSource);
    await connectAmo(server, sb!);
    const property = await createProperty(server, { title: 'Loft', price: 1_000_000 });
    const guest = { guestPhone: '+7 912 345-67-89', guestEmail: 'day@example.com' };
    const first = (
      await request(server).post('/api/leads').send(leadBody(property.id, guest)).expect(201)
    ).body;
    const day1 = await syncedLead(server, first.id);
    await t!.close();
    await sb!.stop();
    t = undefined;

    server = await boot(port);
    expect(sb!.leads().map((l) => l.id)).toEqual([day1.amoLeadId]);
    // another listing: for the same one the guest's second request would join the open deal
    const other = await createProperty(server, { title: 'Studio', price: 900_000 });
    const second = (
      await request(server).post('/api/leads').send(leadBody(other.id, guest)).expect(201)
    ).body;
    const day2 = await syncedLead(server, second.id);
    expect(day2.amoLeadId).toBe(day1.amoLeadId + 1);
    expect(day2.amoContactId).toBe(day1.amoContactId);
    expect(sb!.leads().map((l) => l.id)).toEqual([day1.amoLeadId, day2.amoLeadId]);
  });
});
