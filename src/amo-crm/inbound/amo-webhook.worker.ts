import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { DataSource, EntityManager } from 'typeorm';
import { AppConfig, SyncSettings } from '../../config/configuration';
import { returningRows } from '../../database/returning-rows';
import { Lead } from '../../leads/lead.entity';
import {
  ContactMethod,
  ContactTime,
  LeadSource,
  LeadStatus,
  LeadSyncState,
} from '../../leads/lead.enums';
import { AmoCrmError } from '../client/amo-crm.error';
import { AmoNotConfiguredError, AmoNotConnectedError } from '../auth/amo-connection.errors';
import { EffectiveMapping } from '../mapping/amo-mapping';
import { AmoMappingService } from '../mapping/amo-mapping.service';
import { backoffDelayMs } from '../../common/backoff';
import { AmoWebhookEvent, WebhookEventState } from './amo-webhook-event.entity';
import {
  guestNameFrom,
  intOf,
  isStale,
  leadChangesFrom,
  ourLeadMarker,
  textOf,
} from './webhook-item';
import { PassRunner } from '../../common/pass-runner';
import { SyncQueueService } from '../outbox/sync-queue.service';

const BATCH = 100;
const LEASE_SECONDS = 60;

/** Written to `leads.sync_error` when amoCRM deletes the lead; a restore clears it. */
export const DELETED_IN_AMO = 'deleted in amoCRM';

type ClaimedEvent = Pick<
  AmoWebhookEvent,
  'id' | 'entity' | 'action' | 'amoId' | 'amoUpdatedAt' | 'item' | 'attempts'
>;

/**
 * Applies inbox rows to leads, oldest amoCRM change first. Rows are claimed like outbox jobs
 * (FOR UPDATE SKIP LOCKED and a lease), each applied in its own transaction with the lead row
 * locked. Leads are written directly, never through LeadsService or the outbox: a change that
 * came from amoCRM must not be pushed back to it.
 */
@Injectable()
export class AmoWebhookWorker implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(AmoWebhookWorker.name);
  private readonly settings: SyncSettings;
  readonly enabled: boolean;
  private timer: NodeJS.Timeout | null = null;
  private readonly runner = new PassRunner(
    () => this.drain(),
    (err: unknown) =>
      this.logger.error(`Webhook pass failed: ${err instanceof Error ? err.message : String(err)}`),
  );

  constructor(
    private readonly dataSource: DataSource,
    private readonly mapping: AmoMappingService,
    queue: SyncQueueService,
    config: ConfigService<AppConfig, true>,
  ) {
    this.settings = config.get('sync', { infer: true });
    // inbound and outbound sync are switched on and off together
    this.enabled = queue.enabled;
  }

  onApplicationBootstrap(): void {
    if (!this.enabled) return;
    this.timer = setInterval(() => this.wake(), this.settings.pollIntervalMs);
    this.timer.unref();
    this.wake();
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.runner.stop();
  }

  wake(): void {
    if (this.enabled) this.runner.wake();
  }

  /** Resolves when no due row is left (tests). */
  async idle(): Promise<void> {
    await this.runner.idle();
  }

  private async drain(): Promise<void> {
    while (!this.runner.stopped) {
      const events = await this.claim();
      if (!events.length) return;
      let mapping: EffectiveMapping;
      try {
        mapping = await this.mapping.get();
      } catch (err) {
        // Without the mapping nothing can be applied: the batch waits, and this pass ends.
        for (const event of events) await this.fail(event, err);
        return;
      }
      await this.applyBatch(events, mapping);
    }
  }

  /**
   * A batch is applied in one transaction, and the events are marked in one statement, so the
   * database flushes its log once per batch rather than once per event (a bulk sync's echo
   * would otherwise cost it as much as the new leads themselves). If any event fails, the batch
   * is rolled back and applied again with a savepoint per event, so only that event fails.
   */
  private async applyBatch(events: ClaimedEvent[], mapping: EffectiveMapping): Promise<void> {
    try {
      await this.dataSource.transaction(async (em) => {
        const outcomes: (string | null)[] = [];
        for (const event of events) outcomes.push(await this.outcomeOf(em, event, mapping));
        await this.markApplied(em, events, outcomes);
      });
      return;
    } catch {
      // fall through: find the event that fails, one savepoint at a time
    }
    const failed: { event: ClaimedEvent; err: unknown }[] = [];
    await this.dataSource.transaction(async (batch) => {
      for (const event of events) {
        try {
          await batch.transaction(async (em) =>
            this.markApplied(em, [event], [await this.outcomeOf(em, event, mapping)]),
          );
        } catch (err) {
          failed.push({ event, err });
        }
      }
    });
    for (const { event, err } of failed) await this.fail(event, err);
  }

  /** What applying the event did (kept on its row); null = an entity or action we do not apply. */
  private async outcomeOf(
    em: EntityManager,
    event: ClaimedEvent,
    mapping: EffectiveMapping,
  ): Promise<string | null> {
    return event.entity === 'leads' && event.amoId !== null
      ? this.applyLead(em, event, event.amoId, mapping)
      : null;
  }

  private async markApplied(
    em: EntityManager,
    events: ClaimedEvent[],
    outcomes: (string | null)[],
  ): Promise<void> {
    await em.query(
      `UPDATE amo_webhook_events e
          SET state = v.state, outcome = v.outcome, last_error = NULL, lease_until = NULL,
              processed_at = now()
         FROM unnest($1::bigint[], $2::varchar[], $3::text[]) AS v(id, state, outcome)
        WHERE e.id = v.id`,
      [
        events.map((e) => e.id),
        outcomes.map((o) => (o === null ? WebhookEventState.IGNORED : WebhookEventState.DONE)),
        outcomes.map((o, i) => o ?? `${events[i].entity}.${events[i].action} is not synced`),
      ],
    );
  }

  private async claim(): Promise<ClaimedEvent[]> {
    const res: unknown = await this.dataSource.query(
      `WITH due AS (
         SELECT id FROM amo_webhook_events
          WHERE (state = 'PENDING' AND next_attempt_at <= now())
             OR (state = 'RUNNING' AND lease_until < now())
          ORDER BY amo_updated_at, id
          LIMIT $1
          FOR UPDATE SKIP LOCKED)
       UPDATE amo_webhook_events e
          SET state = 'RUNNING', attempts = e.attempts + 1,
              lease_until = now() + make_interval(secs => $2)
         FROM due WHERE e.id = due.id
       RETURNING e.id, e.entity, e.action, e.amo_id AS "amoId",
                 e.amo_updated_at AS "amoUpdatedAt", e.item, e.attempts`,
      [BATCH, LEASE_SECONDS],
    );
    const rows = returningRows<ClaimedEvent>(res).map((r) => ({
      ...r,
      id: String(r.id),
      amoId: r.amoId === null ? null : Number(r.amoId),
      amoUpdatedAt: r.amoUpdatedAt === null ? null : Number(r.amoUpdatedAt),
    }));
    // amoCRM's order; items without a time (deletes, Digital Pipeline hooks) after the rest
    const ts = (e: ClaimedEvent) => e.amoUpdatedAt ?? Number.MAX_SAFE_INTEGER;
    return rows.sort((a, b) => ts(a) - ts(b) || Number(a.id) - Number(b.id));
  }

  /** Returns what happened, kept on the inbox row; null = not something we apply. */
  private async applyLead(
    em: EntityManager,
    event: ClaimedEvent,
    amoId: number,
    mapping: EffectiveMapping,
  ): Promise<string | null> {
    const leads = em.getRepository(Lead);
    const lead = await leads.findOne({
      where: { amoLeadId: amoId },
      lock: { mode: 'pessimistic_write' },
    });
    switch (event.action) {
      case 'delete':
        if (!lead) return 'no local lead for this amoCRM lead';
        // Reversible on purpose: amoCRM can restore a deleted lead, so nothing is cleared.
        await leads.update({ id: lead.id }, { syncError: DELETED_IN_AMO });
        return `lead ${lead.id} marked as deleted in amoCRM`;
      case 'restore': {
        if (!lead) return 'no local lead for this amoCRM lead';
        if (lead.syncError === DELETED_IN_AMO) {
          await leads.update({ id: lead.id }, { syncError: null });
        }
        const rest = await this.applyChanges(em, lead, event, mapping);
        return `lead ${lead.id} restored; ${rest}`;
      }
      case 'add':
      case 'update':
      case 'status':
      case 'reconcile':
        if (!lead) return this.createOrAttach(em, event, amoId, mapping);
        return this.applyChanges(em, lead, event, mapping);
      default:
        return null;
    }
  }

  private async applyChanges(
    em: EntityManager,
    lead: Lead,
    event: ClaimedEvent,
    mapping: EffectiveMapping,
  ): Promise<string> {
    if (isStale(event.amoUpdatedAt, lead.amoUpdatedAt)) {
      return `not newer than the last applied amoCRM change (${lead.amoUpdatedAt}); nothing changed`;
    }
    const changes = leadChangesFrom(event.item, mapping);
    const patch: Partial<Lead> = {};
    const notes: string[] = [];
    if (changes.status && changes.status !== lead.status) {
      patch.status = changes.status;
      notes.push(`status ${lead.status} → ${changes.status}`);
    }
    if (changes.unmappedStage) notes.push(`${changes.unmappedStage}; status kept`);
    if (changes.contactMethod && changes.contactMethod !== lead.contactMethod) {
      patch.contactMethod = changes.contactMethod;
      notes.push(`contact method → ${changes.contactMethod}`);
    }
    if (changes.contactTime && changes.contactTime !== lead.contactTime) {
      patch.contactTime = changes.contactTime;
      notes.push(`contact time → ${changes.contactTime}`);
    }
    // The amoCRM name of our own leads is generated ("Lead #12 - …"); only leads that were
    // born in amoCRM take their guest name from it.
    const name = textOf(event.item, 'name');
    if (lead.source === LeadSource.AMO_CRM && name !== undefined && name.trim()) {
      const guestName = guestNameFrom(name, lead.amoLeadId ?? 0);
      if (guestName !== lead.guestName) {
        patch.guestName = guestName;
        notes.push('guest name follows the amoCRM name');
      }
    }
    if (event.amoUpdatedAt !== null) patch.amoUpdatedAt = event.amoUpdatedAt;
    if (Object.keys(patch).length) await em.getRepository(Lead).update({ id: lead.id }, patch);
    return notes.length ? notes.join('; ') : 'no local change';
  }

  /** An amoCRM lead we do not know yet: one of ours whose create is in flight, or a new one. */
  private async createOrAttach(
    em: EntityManager,
    event: ClaimedEvent,
    amoId: number,
    mapping: EffectiveMapping,
  ): Promise<string> {
    const marker = ourLeadMarker(event.item, mapping);
    if (marker) {
      const leads = em.getRepository(Lead);
      const ours =
        'leadId' in marker
          ? await leads.findOne({
              where: { id: marker.leadId },
              lock: { mode: 'pessimistic_write' },
            })
          : await leads.findOne({
              where: { number: marker.number, source: LeadSource.SITE },
              lock: { mode: 'pessimistic_write' },
            });
      if (ours) {
        if (ours.amoLeadId !== null && ours.amoLeadId !== amoId) {
          return `carries the marker of lead ${ours.id}, which is amoCRM lead ${ours.amoLeadId}; ignored`;
        }
        // Our own create echoed back: link it, and leave the status to our outbox, which may
        // hold a newer local change than the one amoCRM echoes.
        const patch: Partial<Lead> = { amoLeadId: amoId };
        if (event.amoUpdatedAt !== null && !isStale(event.amoUpdatedAt, ours.amoUpdatedAt)) {
          patch.amoUpdatedAt = event.amoUpdatedAt;
        }
        await leads.update({ id: ours.id }, patch);
        return `our lead ${ours.id}; linked, nothing else changed`;
      }
    }
    const changes = leadChangesFrom(event.item, mapping);
    const created = await em.getRepository(Lead).save(
      em.getRepository(Lead).create({
        propertyId: null,
        guestName: guestNameFrom(textOf(event.item, 'name'), amoId),
        guestPhone: null,
        guestEmail: null,
        contactMethod: changes.contactMethod ?? ContactMethod.PHONE,
        contactTime: changes.contactTime ?? ContactTime.ANY_TIME,
        comment: null,
        status: changes.status ?? LeadStatus.NEW,
        source: LeadSource.AMO_CRM,
        amoLeadId: amoId,
        amoContactId: null,
        syncState: LeadSyncState.SYNCED,
        syncError: null,
        amoUpdatedAt: event.amoUpdatedAt,
        syncedAt: new Date(),
      }),
    );
    const price = intOf(event.item, 'price');
    return [
      `created local lead ${created.id}`,
      changes.unmappedStage ? `${changes.unmappedStage}; status NEW` : null,
      price !== undefined ? `amoCRM price ${price} stays in amoCRM` : null,
    ]
      .filter(Boolean)
      .join('; ');
  }

  private async fail(event: ClaimedEvent, err: unknown): Promise<void> {
    if (err instanceof AmoNotConnectedError || err instanceof AmoNotConfiguredError) {
      // Not the event's fault: it waits for the connection without using up its attempts.
      await this.dataSource.query(
        `UPDATE amo_webhook_events
            SET state = 'PENDING', attempts = greatest(attempts - 1, 0), lease_until = NULL,
                last_error = $2, next_attempt_at = now() + make_interval(secs => $3)
          WHERE id = $1`,
        [event.id, err.message, Math.ceil(this.settings.pollIntervalMs / 1000)],
      );
      return;
    }
    const message =
      err instanceof AmoCrmError
        ? err.describe()
        : err instanceof Error
          ? err.message
          : String(err);
    const dead = event.attempts >= this.settings.maxAttempts;
    const delay = backoffDelayMs(
      event.attempts,
      this.settings.backoffBaseMs,
      this.settings.backoffCapMs,
    );
    await this.dataSource.getRepository(AmoWebhookEvent).update(
      { id: event.id },
      {
        state: dead ? WebhookEventState.DEAD : WebhookEventState.PENDING,
        lastError: message,
        leaseUntil: null,
        nextAttemptAt: new Date(Date.now() + delay),
        processedAt: dead ? new Date() : null,
      },
    );
    if (dead) this.logger.warn(`amoCRM webhook event ${event.id} is DEAD: ${message}`);
  }
}
