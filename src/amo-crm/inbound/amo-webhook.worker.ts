import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { DataSource, EntityManager } from 'typeorm';
import { AppConfig, SyncSettings } from '../../config/configuration';
import { DatabaseLocation } from '../../database/database.module';
import { Lead } from '../../leads/lead.entity';
import { LeadSource } from '../../leads/lead.enums';
import { describeError } from '../client/amo-crm.error';
import { AmoNotConfiguredError, AmoNotConnectedError } from '../auth/amo-connection.errors';
import { EffectiveMapping } from '../mapping/amo-mapping';
import { AmoMappingService } from '../mapping/amo-mapping.service';
import { backoffDelayMs } from '../../common/backoff';
import { AmoWebhookEvent, WebhookEventState } from './amo-webhook-event.entity';
import { ClaimedEvent, claimDue } from './inbox-claims';
import { planAttach, planLeadChange, planNewLead } from './lead-change.rules';
import { ourLeadMarker } from './webhook-item';
import { WorkerPresence } from './worker-presence';
import { PassRunner } from '../../common/pass-runner';

const BATCH = 100;
const LEASE_SECONDS = 60;

/**
 * Applies inbox rows to leads in arrival order, one lead's rows one after another. Rows are
 * claimed like outbox jobs (FOR UPDATE SKIP LOCKED and a lease, see inbox-claims.ts, released
 * at once when the claiming process is gone or its pass failed); a claimed batch is applied in one transaction, each
 * lead row locked while its change is applied (see `applyBatch`). What a change means is decided
 * by the pure rules in lead-change.rules.ts; this class claims, applies their plan and marks
 * rows. Leads are written directly, never through LeadsService or the outbox: a change that
 * came from amoCRM must not be pushed back to it.
 */
@Injectable()
export class AmoWebhookWorker implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(AmoWebhookWorker.name);
  private readonly settings: SyncSettings;
  readonly enabled: boolean;
  private timer: NodeJS.Timeout | null = null;
  private readonly presence: WorkerPresence;
  private readonly runner = new PassRunner(
    () => this.drain(),
    (err: unknown) => this.logger.error(`Webhook pass failed: ${describeError(err)}`),
  );

  constructor(
    private readonly dataSource: DataSource,
    private readonly mapping: AmoMappingService,
    config: ConfigService<AppConfig, true>,
    location: DatabaseLocation,
  ) {
    this.settings = config.get('sync', { infer: true });
    this.presence = new WorkerPresence(location.embedded ? null : location.url);
    // inbound and outbound sync are switched on and off together
    this.enabled = this.settings.active;
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
    await this.presence.release();
  }

  wake(): void {
    if (this.enabled) this.runner.wake();
  }

  /** Resolves when no due row is left (tests). */
  async idle(): Promise<void> {
    await this.runner.idle();
  }

  private async drain(): Promise<void> {
    // without its presence lock this process must not claim: others would take its rows back
    if (!(await this.presence.hold())) return;
    while (!this.runner.stopped) {
      const events = await claimDue(this.dataSource, this.presence, BATCH, LEASE_SECONDS);
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
      const notices: string[] = [];
      await this.dataSource.transaction(async (em) => {
        const outcomes: (string | null)[] = [];
        for (const event of events) {
          outcomes.push(await this.outcomeOf(em, event, mapping, notices));
        }
        await this.markApplied(em, events, outcomes);
      });
      this.announce(notices);
      return;
    } catch {
      // fall through: find the event that fails, one savepoint at a time
    }
    const failed: { event: ClaimedEvent; err: unknown }[] = [];
    const notices: string[] = [];
    await this.dataSource.transaction(async (batch) => {
      for (const event of events) {
        const own: string[] = [];
        try {
          await batch.transaction(async (em) =>
            this.markApplied(em, [event], [await this.outcomeOf(em, event, mapping, own)]),
          );
          notices.push(...own);
        } catch (err) {
          failed.push({ event, err });
        }
      }
    });
    this.announce(notices);
    for (const { event, err } of failed) await this.fail(event, err);
  }

  /** One line per lead whose amoCRM state people must hear of, after it is committed. */
  private announce(notices: string[]): void {
    for (const notice of notices) this.logger.warn(notice);
  }

  /** What applying the event did (kept on its row); null = an entity or action we do not apply. */
  private async outcomeOf(
    em: EntityManager,
    event: ClaimedEvent,
    mapping: EffectiveMapping,
    notices: string[],
  ): Promise<string | null> {
    return event.entity === 'leads' && event.amoId !== null
      ? this.applyLead(em, event, event.amoId, mapping, notices)
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

  /** Finds the rows the rules need, applies their plan; null = not something we apply. */
  private async applyLead(
    em: EntityManager,
    event: ClaimedEvent,
    amoId: number,
    mapping: EffectiveMapping,
    notices: string[],
  ): Promise<string | null> {
    const leads = em.getRepository(Lead);
    const tell = (number: number, notice: string | undefined) => {
      if (notice) notices.push(`amoCRM lead ${amoId} (lead #${number}): ${notice}`);
    };
    const change = { ...event, amoId };
    const lead = await leads.findOne({
      where: { amoLeadId: amoId },
      lock: { mode: 'pessimistic_write' },
    });
    const plan = planLeadChange(lead, change, mapping);
    if (plan.kind === 'ignored') return null;
    if (plan.kind === 'patch') {
      // every local lead linked to this amoCRM lead follows it (duplicate control may link two)
      if (lead && Object.keys(plan.patch).length)
        await leads.update({ amoLeadId: amoId }, plan.patch);
      if (lead) tell(lead.number, plan.notice);
      return plan.outcome;
    }
    // An amoCRM lead we do not know yet: one of ours whose create is in flight, or a new one.
    const marker = ourLeadMarker(event.item, mapping);
    const ours = !marker
      ? null
      : await leads.findOne({
          where:
            'leadId' in marker
              ? { id: marker.leadId }
              : { number: marker.number, source: LeadSource.SITE },
          lock: { mode: 'pessimistic_write' },
        });
    if (ours) {
      const attach = planAttach(ours, change);
      if (Object.keys(attach.patch).length) await leads.update({ id: ours.id }, attach.patch);
      return attach.outcome;
    }
    const born = planNewLead(change, mapping);
    const created = await leads.save(leads.create(born.values));
    tell(created.number, born.notice);
    return born.outcome(created.id);
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
    const message = describeError(err);
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
