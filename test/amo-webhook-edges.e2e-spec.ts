import { Logger } from '@nestjs/common';
import request from 'supertest';
import { App } from 'supertest/types';
import { AmoSandbox, SANDBOX_FIXTURES } from '../sandbox';
import { AmoReconciliationService } from '../src/amo-crm/inbound/amo-reconciliation.service';
import { AmoWebhookWorker } from '../src/amo-crm/inbound/amo-webhook.worker';
import { connectAmo, postWebhook, startAmoApp, stopAmoApp } from './helpers/amo';
import { admin } from './helpers/factories';
import { TestApp, truncateAll } from './helpers/test-app';
import { eventually } from './helpers/wait';

const F = SANDBOX_FIXTURES;
const MAPPING = JSON.stringify({ fields: { ourLeadId: F.leadFields.ourLeadId } });
const ACCOUNT_ID = 31_000_078;
/** Default mapping: the main pipeline's first regular stage is NEW, the second IN_PROGRESS. */
const A = F.stages.firstContact;
const B = F.stages.negotiation;

/**
 * The edges of inbound sync, driven through the sandbox's own webhook deliveries: values with a
 * NUL character, a lead deleted, restored and deleted again, Digital Pipeline moves back and
 * forth (no timestamps), and a stage the mapping does not know.
 */
describe('amoCRM webhooks at the edges', () => {
  let sb: AmoSandbox;
  let t: TestApp & { url: string };
  let server: App;

  const worker = () => t.app.get(AmoWebhookWorker);
  const settle = async () => {
    await sb.flushWebhooks();
    await worker().idle();
  };
  const localLead = async (amoId: number) => {
    const [row] = await t.dataSource.query<{ id: string }[]>(
      `SELECT id FROM leads WHERE amo_lead_id = $1`,
      [amoId],
    );
    expect(row).toBeDefined();
    return (await request(server).get(`/api/leads/${row.id}`).set(admin).expect(200)).body as {
      id: string;
      number: number;
      guestName: string;
      status: string;
      amoDeletedAt: string | null;
      unmappedStage: { pipelineId: number | null; statusId: number; since: string } | null;
      sync: { error: string | null };
    };
  };
  const inboxOf = async (amoId: number) =>
    t.dataSource.query<{ action: string; state: string; outcome: string | null }[]>(
      `SELECT action, state, outcome FROM amo_webhook_events
        WHERE entity = 'leads' AND amo_id = $1 AND action <> 'reconcile' ORDER BY apply_order`,
      [amoId],
    );
  /** Items delivered by the sandbox (answered 2xx) for one amoCRM lead, by action. */
  const deliveredItems = (amoId: number): string[] =>
    sb
      .webhookDeliveries()
      .filter((d) => typeof d.status === 'number' && d.status < 300)
      .flatMap((d) => [...new URLSearchParams(d.body).entries()])
      .filter(([k, v]) => /^leads\[\w+\]\[\d+\]\[id\]$/.test(k) && v === String(amoId))
      .map(([k]) => /^leads\[(\w+)\]/.exec(k)![1]);
  /** amoCRM's times are whole seconds: a change in the same second as the last is not newer. */
  const nextSecond = async (amoId: number) => {
    const last = sb.leads().find((l) => l.id === amoId)!.updated_at;
    await eventually(() => Math.floor(Date.now() / 1000) > last);
  };
  /** A lead a manager creates in amoCRM; its add webhook makes the local lead. */
  const amoLead = async (name = 'Walk-in client') => {
    const lead = sb.createLead({ name });
    await settle();
    await localLead(lead.id);
    return lead.id;
  };

  beforeAll(async () => {
    ({ sb, t, server } = await startAmoApp({
      sandbox: { accountId: ACCOUNT_ID },
      listen: true,
      env: {
        AMO_MAPPING_JSON: MAPPING,
        SYNC_POLL_INTERVAL_MS: '200',
        SYNC_BACKOFF_BASE_MS: '50',
        SYNC_BACKOFF_CAP_MS: '300',
        AMO_RECONCILE_INTERVAL_MS: '0',
      },
    }));
  });
  afterAll(async () => stopAmoApp({ sb, t }));
  beforeEach(async () => {
    await truncateAll(t.dataSource);
    await t.dataSource.query(`DELETE FROM amo_sync_state WHERE key = 'leads_reconciled_until'`);
    sb.clearFaults();
    await connectAmo(server, sb);
    sb.resetLog();
  });

  describe('a value with a NUL character', () => {
    it('is stored with U+FFFD in its place and applied, and amoCRM is answered 200', async () => {
      const id = await amoLead();
      await nextSecond(id);
      sb.updateLead(id, { name: 'Flat\u0000 2' });
      await settle();
      const nulDelivery = sb.webhookDeliveries().filter((d) => d.body.includes('%00'));
      expect(nulDelivery.map((d) => d.status)).toEqual([200]);
      expect((await localLead(id)).guestName).toBe('Flat\uFFFD 2');
      const [stored] = await t.dataSource.query<{ name: string }[]>(
        `SELECT item->>'name' AS name FROM amo_webhook_events WHERE action = 'update' AND amo_id = $1`,
        [id],
      );
      expect(stored.name).toBe('Flat\uFFFD 2');
    });

    it('keeps the other items of the same body: every one stored and applied', async () => {
      const ids = [await amoLead('One'), await amoLead('Two'), await amoLead('Three')];
      const now = Math.floor(Date.now() / 1000) + 10;
      const item = (i: number, id: number, name: string, statusId: number) => ({
        [`leads[status][${i}][id]`]: String(id),
        [`leads[status][${i}][name]`]: name,
        [`leads[status][${i}][status_id]`]: String(statusId),
        [`leads[status][${i}][pipeline_id]`]: String(F.mainPipelineId),
        [`leads[status][${i}][updated_at]`]: String(now),
      });
      const res = await postWebhook(server, {
        ...item(0, ids[0], 'Fine', 142),
        ...item(1, ids[1], 'Broken\u0000name', 143),
        ...item(2, ids[2], 'Also fine', B),
        'account[id]': String(ACCOUNT_ID),
        'account[subdomain]': 'sandbox',
      }).expect(200);
      expect(res.body).toEqual({ received: 3, stored: 3 });
      await worker().idle();
      const leads = await Promise.all(ids.map(localLead));
      expect(leads.map((l) => l.status)).toEqual(['WON', 'LOST', 'IN_PROGRESS']);
      expect(leads[1].guestName).toBe('Broken\uFFFDname');
    });

    it('does not hold reconciliation at its watermark', async () => {
      const reconciliation = t.app.get(AmoReconciliationService);
      const id = await amoLead();
      await reconciliation.reconcileNow();
      const before = Number(
        (
          await t.dataSource.query<{ value: string }[]>(
            `SELECT value FROM amo_sync_state WHERE key = 'leads_reconciled_until'`,
          )
        )[0].value,
      );
      await eventually(async () => Math.floor(Date.now() / 1000) > before);
      sb.suppressNextWebhooks(1);
      const changed = sb.updateLead(id, { name: 'Loft\u0000 9' });
      const result = await reconciliation.reconcileNow();
      expect(result.fetched).toBeGreaterThanOrEqual(1);
      expect(result.watermark).toBe(changed.updated_at);
      await worker().idle();
      expect((await localLead(id)).guestName).toBe('Loft\uFFFD 9');
    });
  });

  describe('events without a timestamp that look like earlier ones', () => {
    it('applies delete → restore → delete in order: the lead ends deleted, flagged on the lead', async () => {
      const id = await amoLead();
      sb.deleteLead(id);
      await settle();
      const deleted = await localLead(id);
      expect(deleted.amoDeletedAt).not.toBeNull();
      expect(deleted.sync.error).toBe('deleted in amoCRM');
      sb.restoreLead(id);
      await settle();
      expect(await localLead(id)).toMatchObject({ amoDeletedAt: null, sync: { error: null } });
      sb.deleteLead(id);
      await settle();
      expect((await localLead(id)).amoDeletedAt).not.toBeNull();

      // amoCRM retries the last delivery, unchanged: a repeat, not a fourth event
      const last = sb.webhookDeliveries().at(-1)!;
      const retry = await postWebhook(server, last.body).expect(200);
      expect(retry.body).toEqual({ received: 1, stored: 0 });
      await worker().idle();

      const delivered = deliveredItems(id);
      expect(delivered).toEqual(['add', 'delete', 'restore', 'delete']);
      const rows = await inboxOf(id);
      expect(rows.map((r) => r.action)).toEqual(delivered);
      expect(rows.every((r) => r.state === 'DONE')).toBe(true);
      expect((await localLead(id)).amoDeletedAt).not.toBeNull();
    });

    it('applies Digital Pipeline moves A → B → A → B in order and ends in B', async () => {
      const id = await amoLead();
      expect((await localLead(id)).status).toBe('NEW');
      for (const to of [B, A, B]) {
        // only the Digital Pipeline hook arrives, as when account webhooks are not subscribed
        sb.suppressNextWebhooks(1);
        await sb.digitalPipelineMove(id, { statusId: to });
        await settle();
      }
      expect((await localLead(id)).status).toBe('IN_PROGRESS');
      const rows = await inboxOf(id);
      expect(rows.map((r) => [r.action, r.state])).toEqual([
        ['add', 'DONE'],
        ['status', 'DONE'],
        ['status', 'DONE'],
        ['status', 'DONE'],
      ]);
      expect(rows.slice(1).map((r) => r.outcome)).toEqual([
        'status NEW → IN_PROGRESS',
        'status IN_PROGRESS → NEW',
        'status NEW → IN_PROGRESS',
      ]);
    });

    it('applies the moves in order also with the account webhooks of each move arriving', async () => {
      const id = await amoLead();
      for (const to of [B, A, B]) {
        await sb.digitalPipelineMove(id, { statusId: to });
        await settle();
      }
      expect((await localLead(id)).status).toBe('IN_PROGRESS');
      const rows = await inboxOf(id);
      expect(rows.every((r) => r.state === 'DONE')).toBe(true);
      // the three hooks (no updated_at), each stored and applied; the account webhooks' items
      // of moves within one second are not newer and change nothing
      const hooks = await t.dataSource.query<{ outcome: string }[]>(
        `SELECT outcome FROM amo_webhook_events
          WHERE amo_id = $1 AND amo_updated_at IS NULL ORDER BY apply_order`,
        [id],
      );
      expect(hooks).toHaveLength(3);
      expect(rows.filter((r) => r.action === 'update').length).toBeGreaterThanOrEqual(1);
    });
  });

  describe('a stage the mapping does not know', () => {
    it('shows on the lead, in the sync view and in one log line; a mapped stage clears it', async () => {
      const warn = jest.spyOn(Logger.prototype, 'warn');
      try {
        const id = await amoLead();
        const { number } = await localLead(id);
        await nextSecond(id);
        warn.mockClear();
        sb.moveLead(id, { statusId: F.secondStages.newRequest, pipelineId: F.secondPipelineId });
        await settle();
        const lead = await localLead(id);
        expect(lead.status).toBe('NEW');
        expect(lead.unmappedStage).toEqual({
          pipelineId: F.secondPipelineId,
          statusId: F.secondStages.newRequest,
          since: expect.any(String) as string,
        });
        const view = (
          await request(server).get('/api/integrations/amo-crm/sync').set(admin).expect(200)
        ).body;
        expect(view.unmappedStages).toEqual({
          count: 1,
          leads: [
            {
              leadId: lead.id,
              number,
              amoLeadId: id,
              pipelineId: F.secondPipelineId,
              statusId: F.secondStages.newRequest,
              since: lead.unmappedStage!.since,
            },
          ],
        });
        const lines = warn.mock.calls
          .map((c) => String(c[0]))
          .filter((m) => m.includes(`lead #${number}`));
        // the move arrives as an update and a status item: one line all the same
        expect(lines).toEqual([
          `amoCRM lead ${id} (lead #${number}): moved in amoCRM to stage ${F.secondStages.newRequest} of pipeline ${F.secondPipelineId}, which is not mapped; status NEW kept`,
        ]);

        await nextSecond(id);
        sb.moveLead(id, { statusId: 142, pipelineId: F.mainPipelineId });
        await settle();
        expect(await localLead(id)).toMatchObject({ status: 'WON', unmappedStage: null });
        const after = (
          await request(server).get('/api/integrations/amo-crm/sync').set(admin).expect(200)
        ).body;
        expect(after.unmappedStages).toEqual({ count: 0, leads: [] });
      } finally {
        warn.mockRestore();
      }
    });
  });
});
