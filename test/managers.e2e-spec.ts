import request from 'supertest';
import { App } from 'supertest/types';
import { AmoSandbox, SANDBOX_FIXTURES } from '../sandbox';
import { ContactTime } from '../src/leads/lead.enums';
import { callbackDueAt } from '../src/amo-crm/outbound/callback-task.rules';
import { DEFAULT_TASKS } from '../src/amo-crm/mapping/task-settings';
import { localParts } from '../src/amo-crm/outbound/zoned-time';
import { connectAmo, startAmoApp, stopAmoApp } from './helpers/amo';
import { admin, createProperty, leadBody } from './helpers/factories';
import { TestApp, truncateAll } from './helpers/test-app';
import { eventually } from './helpers/wait';

const F = SANDBOX_FIXTURES;
const U = F.users;
const ZONE = 'Asia/Vladivostok';
const MAPPING = JSON.stringify({
  fields: { ourLeadId: F.leadFields.ourLeadId },
  managers: { roundRobin: [U.manager, U.inactive, 9999999, U.manager3] },
});

/** An access token of the sandbox's own, to act in amoCRM as a manager's tools would. */
async function sandboxToken(sb: AmoSandbox): Promise<string> {
  const res = await fetch(`${sb.url}/oauth2/access_token`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({
      client_id: sb.clientId,
      client_secret: sb.clientSecret,
      grant_type: 'authorization_code',
      code: sb.issueAuthCode(),
      redirect_uri: sb.redirectUri,
    }),
  });
  return ((await res.json()) as { access_token: string }).access_token;
}

describe('Responsible managers, callback tasks and repeat requests', () => {
  let sb: AmoSandbox;
  let t: TestApp;
  let server: App;

  const lead = async (id: string) =>
    (await request(server).get(`/api/leads/${id}`).set(admin).expect(200)).body as {
      id: string;
      amoLeadId: number | null;
      repeatOf: string | null;
      responsible: { userId: number | null; source: string } | null;
      sync: { state: string; error: string | null };
    };
  const openJobs = async () =>
    (
      await t.dataSource.query(
        `SELECT count(*)::int AS n FROM amo_sync_jobs WHERE state IN ('PENDING','RUNNING','HELD')`,
      )
    )[0].n as number;
  const post = async (body: object) =>
    (await request(server).post('/api/leads').send(body).expect(201)).body as { id: string };
  const amoLead = (id: number) => sb.leads().find((l) => l.id === id);
  const tasksOn = (amoLeadId: number) => sb.tasks().filter((x) => x.entity_id === amoLeadId);

  beforeAll(async () => {
    ({ sb, t, server } = await startAmoApp({
      sandbox: { timezone: ZONE },
      env: {
        AMO_MAPPING_JSON: MAPPING,
        SYNC_POLL_INTERVAL_MS: '200',
        SYNC_BACKOFF_BASE_MS: '50',
        SYNC_BACKOFF_CAP_MS: '300',
        SYNC_CONTACTS_FRESH_MS: '0',
      },
    }));
  });
  afterAll(async () => stopAmoApp({ sb, t }));
  beforeEach(async () => {
    await truncateAll(t.dataSource);
    sb.clearFaults();
    await connectAmo(server, sb);
  });

  it("gives the lead, its contact and its callback task to the property's agent", async () => {
    const property = await createProperty(server, { title: 'Loft on Arbat' });
    const patched = await request(server)
      .patch(`/api/properties/${property.id}`)
      .set(admin)
      .send({ amoResponsibleUserId: U.agent })
      .expect(200);
    expect(patched.body.amoResponsibleUserId).toBe(U.agent);
    const created = await post(
      leadBody(property.id, { guestName: 'Olga', contactMethod: 'WHATSAPP' }),
    );
    await eventually(async () => (await openJobs()) === 0);
    const local = await lead(created.id);
    expect(local.responsible).toEqual({ userId: U.agent, source: 'PROPERTY' });
    const deal = amoLead(local.amoLeadId as number);
    expect(deal?.responsible_user_id).toBe(U.agent);
    const contactId = deal?._embedded.contacts?.[0]?.id;
    expect(sb.contacts().find((c) => c.id === contactId)?.responsible_user_id).toBe(U.agent);
    const tasks = tasksOn(local.amoLeadId as number);
    expect(tasks).toHaveLength(1);
    expect(tasks[0]).toMatchObject({ responsible_user_id: U.agent, entity_type: 'leads' });
    expect(tasks[0]?.text).toContain('Olga');
    expect(tasks[0]?.text).toContain('WhatsApp');
    expect(tasks[0]?.text).toContain('Loft on Arbat');
  });

  it("gives a lead of a known contact to that contact's manager", async () => {
    const token = await sandboxToken(sb);
    const made = await fetch(`${sb.url}/api/v4/contacts`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify([
        {
          name: 'Known guest',
          responsible_user_id: U.manager3,
          custom_fields_values: [
            { field_code: 'PHONE', values: [{ value: '+79165550101', enum_code: 'MOB' }] },
          ],
        },
      ]),
    });
    expect(made.status).toBe(200);
    const property = await createProperty(server);
    const created = await post(leadBody(property.id, { guestPhone: '8 916 555-01-01' }));
    await eventually(async () => (await openJobs()) === 0);
    const local = await lead(created.id);
    expect(local.responsible).toEqual({ userId: U.manager3, source: 'CONTACT' });
    expect(amoLead(local.amoLeadId as number)?.responsible_user_id).toBe(U.manager3);
    expect(tasksOn(local.amoLeadId as number)[0]?.responsible_user_id).toBe(U.manager3);
  });

  it('skips an inactive agent and inactive or unknown round-robin ids, reporting them, never DEAD', async () => {
    const property = await createProperty(server);
    await request(server)
      .patch(`/api/properties/${property.id}`)
      .set(admin)
      .send({ amoResponsibleUserId: U.inactive })
      .expect(200);
    const created = await post(leadBody(property.id));
    await eventually(async () => (await openJobs()) === 0);
    const local = await lead(created.id);
    expect(local.sync.state).toBe('SYNCED');
    expect(local.responsible?.source).toBe('ROUND_ROBIN');
    expect([U.manager, U.manager3]).toContain(local.responsible?.userId);
    expect(amoLead(local.amoLeadId as number)?.responsible_user_id).toBe(local.responsible?.userId);
    const mapping = await request(server)
      .get('/api/integrations/amo-crm/mapping')
      .set(admin)
      .expect(200);
    expect(mapping.body.managers.roundRobin.map((m: { id: number }) => m.id)).toEqual([
      U.manager,
      U.manager3,
    ]);
    expect(mapping.body.problems).toEqual(
      expect.arrayContaining([
        expect.stringContaining(`user ${U.inactive}`),
        expect.stringContaining('user 9999999 does not exist'),
        `property agent ${U.inactive} is not an active amoCRM user; skipped`,
      ]),
    );
    expect(mapping.body.timezone).toBe(ZONE);
    expect(mapping.body.tasks).toMatchObject({ enabled: true, typeId: 1 });
  });

  it("dues the callback at the start of the guest's window in the account's zone, or soon inside it", async () => {
    const property = await createProperty(server);
    const before = new Date();
    const created = await post(leadBody(property.id, { contactTime: 'MORNING' }));
    await eventually(async () => (await openJobs()) === 0);
    const after = new Date();
    const local = await lead(created.id);
    const [task] = tasksOn(local.amoLeadId as number);
    const due = (task?.complete_till ?? 0) * 1000;
    const earliest = callbackDueAt(ContactTime.MORNING, before, ZONE, DEFAULT_TASKS).getTime();
    const latest = callbackDueAt(ContactTime.MORNING, after, ZONE, DEFAULT_TASKS).getTime();
    expect(due).toBeGreaterThanOrEqual(Math.floor(earliest / 1000) * 1000);
    expect(due).toBeLessThanOrEqual(latest);
    expect(due).toBeGreaterThan(before.getTime());
    const hour = localParts(new Date(due), ZONE).hour;
    const insideMorning = localParts(before, ZONE).hour >= 9 && localParts(after, ZONE).hour < 12;
    if (!insideMorning) expect(hour).toBe(9);
  });

  it('a repeat request opens no second deal: one note with its comment and one task on the open deal', async () => {
    const property = await createProperty(server, { title: 'House by the lake' });
    await request(server)
      .patch(`/api/properties/${property.id}`)
      .set(admin)
      .send({ amoResponsibleUserId: U.agent })
      .expect(200);
    const first = await post(leadBody(property.id, { guestPhone: '+79167770000' }));
    await eventually(async () => (await openJobs()) === 0);
    const original = await lead(first.id);
    const deals = sb.leads().length;
    const notes = sb.notes().length;
    const second = await post(
      leadBody(property.id, {
        guestPhone: '8 (916) 777-00-00',
        guestEmail: 'other@example.com',
        comment: 'Can I come on Saturday?',
      }),
    );
    await eventually(async () => (await openJobs()) === 0);
    const repeat = await lead(second.id);
    expect(repeat.repeatOf).toBe(first.id);
    expect(repeat.amoLeadId).toBeNull();
    expect(repeat.sync.state).toBe('SYNCED');
    expect(repeat.responsible).toEqual({ userId: U.agent, source: 'PROPERTY' });
    expect(sb.leads()).toHaveLength(deals);
    const added = sb.notes().slice(notes);
    expect(added).toHaveLength(1);
    expect(added[0]?.entity_id).toBe(original.amoLeadId);
    expect(added[0]?.params.text).toContain('Repeat request');
    expect(added[0]?.params.text).toContain('Can I come on Saturday?');
    const tasks = tasksOn(original.amoLeadId as number);
    expect(tasks).toHaveLength(2);
    expect(tasks[1]?.text).toContain('Repeat request');
    expect(tasks[1]?.responsible_user_id).toBe(U.agent);
  });

  it('a repeat whose original is not in amoCRM yet waits, then joins that deal once it is', async () => {
    const property = await createProperty(server);
    sb.failNext({ method: 'POST', path: '/api/v4/leads/complex', count: 1, status: 400 });
    const first = await post(leadBody(property.id, { guestEmail: 'wait@example.com' }));
    await eventually(async () => (await lead(first.id)).sync.state === 'DEAD');
    const second = await post(
      leadBody(property.id, { guestEmail: 'WAIT@example.com', comment: 'Still there?' }),
    );
    await eventually(async () => ((await lead(second.id)).sync.error ?? '').includes('waiting'));
    expect((await lead(second.id)).repeatOf).toBe(first.id);
    const deals = sb.leads().length;
    await request(server)
      .post('/api/integrations/amo-crm/sync/retry')
      .set(admin)
      .send({ leadId: first.id })
      .expect(202);
    await eventually(async () => (await openJobs()) === 0);
    const original = await lead(first.id);
    expect(sb.leads()).toHaveLength(deals + 1);
    const notes = sb.notes().filter((n) => n.entity_id === original.amoLeadId);
    expect(notes.filter((n) => n.params.text.includes('Still there?'))).toHaveLength(1);
    expect((await lead(second.id)).sync).toMatchObject({ state: 'SYNCED', error: null });
  });

  it('opens a new deal for another property and after the open deal was won', async () => {
    const p1 = await createProperty(server);
    const p2 = await createProperty(server);
    const first = await post(leadBody(p1.id, { guestPhone: '+79168880000' }));
    const other = await post(leadBody(p2.id, { guestPhone: '+79168880000' }));
    await eventually(async () => (await openJobs()) === 0);
    expect((await lead(other.id)).repeatOf).toBeNull();
    await request(server)
      .patch(`/api/leads/${first.id}/status`)
      .set(admin)
      .send({ status: 'WON' })
      .expect(200);
    const again = await post(leadBody(p1.id, { guestPhone: '+79168880000' }));
    await eventually(async () => (await openJobs()) === 0);
    const local = await lead(again.id);
    expect(local.repeatOf).toBeNull();
    expect(local.amoLeadId).not.toBeNull();
    expect(local.amoLeadId).not.toBe((await lead(first.id)).amoLeadId);
  });
});
