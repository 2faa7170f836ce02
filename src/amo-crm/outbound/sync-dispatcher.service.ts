import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { Client } from 'pg';
import { DataSource, In } from 'typeorm';
import { DatabaseLocation } from '../../database/database.module';
import { Lead } from '../../leads/lead.entity';
import { LeadSyncState } from '../../leads/lead.enums';
import { Property } from '../../properties/property.entity';
import { AppConfig, SyncSettings } from '../../config/configuration';
import { AmoCrmApiService } from '../api/amo-crm-api.service';
import {
  AmoComplexLeadItem,
  AmoComplexResult,
  AmoLeadPatch,
  AmoLeadPatched,
  AmoLeadRead,
  AmoNoteItem,
} from '../api/amo-crm.types';
import { AmoCrmError } from '../client/amo-crm.error';
import { AmoNotConfiguredError, AmoNotConnectedError } from '../auth/amo-connection.errors';
import { AmoConnectionState } from '../auth/amo-token.entity';
import { AmoTokenService } from '../auth/amo-token.service';
import { AmoMappingService } from '../mapping/amo-mapping.service';
import { AmoConnectionEvents } from '../connection/amo-connection.events';
import { PassRunner } from '../../common/pass-runner';
import { EffectiveMapping } from '../mapping/amo-mapping';
import { AmoSyncJob, SyncJobKind, SyncJobState } from '../outbox/amo-sync-job.entity';
import { backoffDelayMs } from '../../common/backoff';
import { ContactDirectoryService } from './contact-directory.service';
import { amoLeadName, complexLeadItem, leadCustomFields } from './lead-payload';
import { SyncQueueService } from '../outbox/sync-queue.service';
import { returningRows } from '../../database/returning-rows';

/** Jobs claimed per pass: creates go out 50 per complex request, notes 250 per request. */
const BATCH = 250;
const COMPLEX_BATCH = 50;
const PATCH_BATCH = 50;
/** pg advisory lock key ("amosync") held by the one active dispatcher per database. */
const LEADER_LOCK_KEY = '27417849013005923';
const BLOCK_PAUSE_MS = 15 * 60_000;

interface Created {
  job: AmoSyncJob;
  lead: Lead;
  amoLeadId: number;
  amoContactId: number | null;
}

/**
 * Drains the outbox into amoCRM. Jobs are claimed with FOR UPDATE SKIP LOCKED and a lease,
 * so several instances never take the same job and a crashed instance's job comes back; a
 * job waits while an earlier one of the same lead is unfinished, so an UPDATE never
 * overtakes its CREATE. Woken in-process after each commit, with a poll as a safety net.
 */
@Injectable()
export class SyncDispatcherService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(SyncDispatcherService.name);
  private readonly settings: SyncSettings;
  private timer: NodeJS.Timeout | null = null;
  private readonly runner = new PassRunner(
    () => this.drain(),
    (err: unknown) =>
      this.logger.error(`Sync pass failed: ${err instanceof Error ? err.message : String(err)}`),
  );
  private pausedUntil = 0;
  private pauseReason = '';
  private unsubscribe: (() => void)[] = [];
  /**
   * A connection of its own, outside the pool, for the leader lock: the lock goes when the
   * connection does. It only sends simple queries without parameters.
   */
  private lockClient: Client | null = null;
  private leading = false;
  private wasConnected = false;

  constructor(
    private readonly dataSource: DataSource,
    private readonly queue: SyncQueueService,
    private readonly api: AmoCrmApiService,
    private readonly tokens: AmoTokenService,
    private readonly mapping: AmoMappingService,
    private readonly contacts: ContactDirectoryService,
    private readonly location: DatabaseLocation,
    private readonly connection: AmoConnectionEvents,
    config: ConfigService<AppConfig, true>,
  ) {
    this.settings = config.get('sync', { infer: true });
  }

  onApplicationBootstrap(): void {
    if (!this.queue.enabled) return;
    // after a connect, jobs HELD while disconnected are released; after a disconnect, held
    this.unsubscribe = [
      this.queue.onEnqueued(() => this.wake()),
      this.connection.onConnected(() => this.wake()),
      this.connection.onDisconnected(() => this.wake()),
    ];
    this.timer = setInterval(() => this.wake(), this.settings.pollIntervalMs);
    this.timer.unref();
    this.wake();
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    for (const off of this.unsubscribe) off();
    await this.runner.stop();
    await this.lockClient?.end().catch(() => undefined);
    this.lockClient = null;
  }

  wake(): void {
    this.runner.wake();
  }

  /** Set while sync is paused because amoCRM blocks API access (shown in the admin sync view). */
  get pause(): { until: string; reason: string } | null {
    return this.pausedUntil > Date.now()
      ? { until: new Date(this.pausedUntil).toISOString(), reason: this.pauseReason }
      : null;
  }

  /** Resolves when nothing due is left (used by tests and the bulk benchmark). */
  async idle(): Promise<void> {
    await this.runner.idle();
  }

  /**
   * One active dispatcher per database, so N instances share one rate limit instead of
   * sending N times as much: the holder of a session advisory lock drains; the others stand by
   * and take over on their next poll once the holder's connection is gone. The embedded
   * database admits one process, which is leader by construction.
   */
  private async isLeader(): Promise<boolean> {
    if (this.location.embedded) return true;
    try {
      if (!this.lockClient) {
        const client = new Client({ connectionString: this.location.url });
        client.on('error', () => this.dropLockClient(client));
        await client.connect();
        this.lockClient = client;
        this.leading = false;
      }
      if (this.leading) {
        await this.lockClient.query('SELECT 1');
        return true;
      }
      const res = await this.lockClient.query<{ ok: boolean }>(
        `SELECT pg_try_advisory_lock(${LEADER_LOCK_KEY}) AS ok`,
      );
      this.leading = res.rows[0]?.ok === true;
      if (this.leading) this.logger.log('This instance now dispatches amoCRM sync jobs');
      return this.leading;
    } catch (err) {
      this.logger.warn(
        `Leader election failed: ${err instanceof Error ? err.message : String(err)}`,
      );
      if (this.lockClient) this.dropLockClient(this.lockClient);
      return false;
    }
  }

  private dropLockClient(client: Client): void {
    if (this.lockClient === client) {
      this.lockClient = null;
      this.leading = false;
    }
    client.end().catch(() => undefined);
  }

  private async drain(): Promise<void> {
    if (!(await this.isLeader())) return;
    if (!(await this.holdOrRelease())) return;
    while (!this.runner.stopped && Date.now() >= this.pausedUntil) {
      const jobs = await this.claim();
      if (!jobs.length) return;
      await this.process(jobs);
    }
  }

  /**
   * Without a usable grant, pending jobs are parked as HELD rather than burning attempts; when
   * the connection comes back (checked once per pass), they are released in one statement.
   */
  private async holdOrRelease(): Promise<boolean> {
    const { state } = await this.tokens.status();
    const connected = state === AmoConnectionState.CONNECTED;
    if (!connected) {
      await this.dataSource.query(
        `UPDATE amo_sync_jobs SET state = 'HELD', updated_at = now() WHERE state = 'PENDING'`,
      );
    } else if (!this.wasConnected) {
      await this.dataSource.query(
        `UPDATE amo_sync_jobs SET state = 'PENDING', next_attempt_at = now(), updated_at = now() WHERE state = 'HELD'`,
      );
    }
    this.wasConnected = connected;
    return connected;
  }

  private async claim(): Promise<AmoSyncJob[]> {
    const rows: unknown = await this.dataSource.query(
      `WITH due AS (
         SELECT j.id FROM amo_sync_jobs j
          WHERE ((j.state = 'PENDING' AND j.next_attempt_at <= now())
                 OR (j.state = 'RUNNING' AND j.lease_until < now()))
            AND NOT EXISTS (SELECT 1 FROM amo_sync_jobs p
                             WHERE p.lead_id = j.lead_id AND p.id < j.id
                               AND (p.state IN ('PENDING', 'RUNNING', 'HELD')
                                    OR (p.state = 'DEAD' AND p.kind = 'CREATE')))
          ORDER BY j.id
          LIMIT $1
          FOR UPDATE SKIP LOCKED)
       UPDATE amo_sync_jobs s
          SET outcome_unknown = s.outcome_unknown OR s.state = 'RUNNING',
              state = 'RUNNING', attempts = s.attempts + 1,
              lease_until = now() + make_interval(secs => $2), updated_at = now()
         FROM due WHERE s.id = due.id
       RETURNING s.id, s.lead_id AS "leadId", s.kind, s.payload, s.attempts, s.outcome_unknown AS "outcomeUnknown"`,
      [BATCH, this.settings.leaseSec],
    );
    const list = returningRows<AmoSyncJob>(rows);
    return list.sort((a, b) => Number(a.id) - Number(b.id));
  }

  private async process(jobs: AmoSyncJob[]): Promise<void> {
    let mapping: EffectiveMapping;
    try {
      mapping = await this.mapping.get();
    } catch (err) {
      await this.failAll(jobs, err);
      return;
    }
    const creates = jobs.filter((j) => j.kind === SyncJobKind.CREATE);
    const updates = jobs.filter(
      (j) => j.kind === SyncJobKind.UPDATE || j.kind === SyncJobKind.STATUS,
    );
    const notes = jobs.filter((j) => j.kind === SyncJobKind.NOTE);
    if (creates.length) await this.guard(creates, () => this.runCreates(creates, mapping));
    for (let i = 0; i < updates.length; i += PATCH_BATCH) {
      const chunk = updates.slice(i, i + PATCH_BATCH);
      await this.guard(chunk, () => this.runUpdates(chunk, mapping));
    }
    if (notes.length) await this.guard(notes, () => this.runNotes(notes));
  }

  private async guard(jobs: AmoSyncJob[], run: () => Promise<void>): Promise<void> {
    try {
      await run();
    } catch (err) {
      await this.failAll(jobs, err);
    }
  }

  // ---------- CREATE ----------

  private async runCreates(jobs: AmoSyncJob[], mapping: EffectiveMapping): Promise<void> {
    const leads = await this.loadLeads(jobs.map((j) => j.leadId));
    const properties = await this.loadProperties(leads);
    await this.contacts.refresh();
    const knownContacts = await this.contacts.findMany(
      [...leads.values()].map((l) => ({ id: l.id, phone: l.guestPhone, email: l.guestEmail })),
    );
    const sending: { job: AmoSyncJob; lead: Lead; item: AmoComplexLeadItem }[] = [];
    const newContactKeys = new Set<string>();
    const created: Created[] = [];

    for (const job of jobs) {
      const lead = leads.get(job.leadId);
      if (!lead || lead.amoLeadId) {
        await this.finish(job);
        continue;
      }
      const property = lead.propertyId ? properties.get(lead.propertyId) : undefined;
      if (job.outcomeUnknown) {
        const found = await this.findOurLead(lead, property?.title ?? null, mapping);
        if (found) {
          const amoContactId = found._embedded?.contacts?.[0]?.id ?? null;
          created.push({ job, lead, amoLeadId: found.id, amoContactId });
          continue;
        }
      }
      const contactId = lead.amoContactId ?? knownContacts.get(lead.id) ?? null;
      const keys = [lead.guestPhone, lead.guestEmail].filter((k): k is string => !!k);
      if (!contactId && keys.some((k) => newContactKeys.has(k))) {
        // amoCRM does not merge contacts within one request: this one goes in the next pass.
        await this.release(job);
        continue;
      }
      if (!contactId) keys.forEach((k) => newContactKeys.add(k));
      const title = property?.title ?? null;
      const item = complexLeadItem(lead, title, property?.price ?? null, mapping, contactId);
      sending.push({ job, lead, item });
    }
    await this.recordCreated(created);

    for (let i = 0; i < sending.length; i += COMPLEX_BATCH) {
      created.push(...(await this.createChunk(sending.slice(i, i + COMPLEX_BATCH))));
    }
    // one request carries the notes of the whole pass (amoCRM takes up to 250)
    await this.addNotes(created.map((c) => c.lead));
  }

  /** One complex create request; returns what amoCRM confirmed, already recorded. */
  private async createChunk(
    chunk: { job: AmoSyncJob; lead: Lead; item: AmoComplexLeadItem }[],
  ): Promise<Created[]> {
    // From here on a failure may leave the leads created in amoCRM: the next attempt looks
    // for them first, even if this process dies before recording the answer.
    await this.dataSource.query(
      `UPDATE amo_sync_jobs SET outcome_unknown = true WHERE id = ANY($1::bigint[])`,
      [chunk.map((x) => x.job.id)],
    );
    let results: AmoComplexResult[];
    try {
      results = await this.api.createLeadsComplex(chunk.map((c) => c.item));
    } catch (err) {
      await this.failAll(
        chunk.map((c) => c.job),
        err,
      );
      return [];
    }
    const byRequest = new Map<string, AmoComplexResult>();
    for (const r of results) for (const id of [r.request_id].flat()) byRequest.set(String(id), r);
    const created: Created[] = [];
    for (const { job, lead } of chunk) {
      const r = byRequest.get(lead.id);
      if (r) {
        created.push({ job, lead, amoLeadId: r.id, amoContactId: r.contact_id });
        continue;
      }
      await this.fail(
        job,
        new AmoCrmError('transient', 'amoCRM did not return this lead in the complex response', {
          outcomeUnknown: true,
        }),
      );
    }
    await this.recordCreated(created);
    return created;
  }

  /** Stores amoCRM's ids for a batch: one transaction, two statements, whatever its size. */
  private async recordCreated(created: Created[]): Promise<void> {
    if (!created.length) return;
    await this.dataSource.transaction(async (em) => {
      await em.query(
        `UPDATE leads l
            SET amo_lead_id = v.amo_lead_id,
                amo_contact_id = COALESCE(v.amo_contact_id, l.amo_contact_id),
                sync_state = 'SYNCED', sync_error = NULL, synced_at = now(), updated_at = now()
           FROM unnest($1::uuid[], $2::bigint[], $3::bigint[]) AS v(id, amo_lead_id, amo_contact_id)
          WHERE l.id = v.id`,
        [
          created.map((c) => c.lead.id),
          created.map((c) => c.amoLeadId),
          created.map((c) => c.amoContactId),
        ],
      );
      await em.query(
        `UPDATE amo_sync_jobs SET state = 'DONE', last_error = NULL, lease_until = NULL, updated_at = now()
          WHERE id = ANY($1::bigint[])`,
        [created.map((c) => c.job.id)],
      );
    });
    for (const c of created) c.lead.amoLeadId = c.amoLeadId;
    await this.contacts.rememberMany(
      created.flatMap((c) =>
        c.amoContactId === null
          ? []
          : [{ contactId: c.amoContactId, phone: c.lead.guestPhone, email: c.lead.guestEmail }],
      ),
    );
  }

  /** After an attempt of unknown outcome: is our lead already in amoCRM? */
  private async findOurLead(
    lead: Lead,
    propertyTitle: string | null,
    mapping: EffectiveMapping,
  ): Promise<AmoLeadRead | null> {
    const name = amoLeadName(lead, propertyTitle);
    const markerField = mapping.fields.ourLeadId;
    const found = await this.api.findLeads(markerField ? lead.id : name);
    return (
      found.find((l) =>
        markerField
          ? (l.custom_fields_values ?? []).some(
              (f) => f.field_id === markerField && f.values?.some((v) => v.value === lead.id),
            )
          : l.name === name,
      ) ?? null
    );
  }

  // ---------- NOTES ----------

  private async addNotes(leads: Lead[]): Promise<void> {
    const withComment = leads.filter((l) => l.comment && l.amoLeadId);
    if (!withComment.length) return;
    try {
      await this.api.addNotes(withComment.map((l) => this.noteItem(l)));
    } catch (err) {
      this.logger.warn(
        `Adding notes failed, queued for retry: ${err instanceof AmoCrmError ? err.describe() : String(err)}`,
      );
      for (const l of withComment) await this.enqueueNote(l);
    }
  }

  private noteItem(l: Lead): AmoNoteItem {
    return {
      entity_id: l.amoLeadId!,
      note_type: 'common',
      params: { text: `Guest's comment: ${l.comment}` },
    };
  }

  private async enqueueNote(lead: Lead): Promise<void> {
    if (!lead.comment) return;
    await this.dataSource.getRepository(AmoSyncJob).insert({
      leadId: lead.id,
      kind: SyncJobKind.NOTE,
      payload: {},
      state: SyncJobState.PENDING,
      nextAttemptAt: new Date(),
    });
  }

  private async runNotes(jobs: AmoSyncJob[]): Promise<void> {
    const leads = await this.loadLeads(jobs.map((j) => j.leadId));
    const ready = jobs.filter(
      (j) => leads.get(j.leadId)?.amoLeadId && leads.get(j.leadId)?.comment,
    );
    for (const j of jobs.filter((x) => !ready.includes(x))) await this.finish(j);
    if (!ready.length) return;
    await this.api.addNotes(ready.map((j) => this.noteItem(leads.get(j.leadId)!)));
    for (const j of ready) await this.finish(j);
  }

  // ---------- UPDATE / STATUS ----------

  private async runUpdates(jobs: AmoSyncJob[], mapping: EffectiveMapping): Promise<void> {
    const leads = await this.loadLeads(jobs.map((j) => j.leadId));
    const body: AmoLeadPatch[] = [];
    const sending: AmoSyncJob[] = [];
    for (const job of jobs) {
      const lead = leads.get(job.leadId);
      // Not in amoCRM yet: its CREATE carries the current values.
      if (!lead?.amoLeadId) {
        await this.finish(job);
        continue;
      }
      const fields = new Set(job.payload.fields ?? []);
      const patch: AmoLeadPatch = { id: lead.amoLeadId };
      if (fields.has('status')) {
        const stage = mapping.statuses[lead.status];
        if (stage) {
          patch.pipeline_id = stage.pipelineId;
          patch.status_id = stage.statusId;
        } else {
          this.logger.warn(`Status ${lead.status} has no amoCRM stage in the mapping; not pushed`);
          await this.recordLead(
            lead.id,
            LeadSyncState.SYNCED,
            `status ${lead.status} is not mapped to an amoCRM stage`,
          );
        }
      }
      if (fields.has('contactMethod') || fields.has('contactTime')) {
        const cf = leadCustomFields(lead, mapping, null).filter(
          (f) =>
            f.field_id === mapping.fields.contactMethod?.id ||
            f.field_id === mapping.fields.contactTime?.id,
        );
        if (cf.length) patch.custom_fields_values = cf;
      }
      if (Object.keys(patch).length === 1) {
        await this.finish(job);
        continue;
      }
      body.push(patch);
      sending.push(job);
    }
    if (!body.length) return;
    let answer: AmoLeadPatched[];
    try {
      answer = await this.api.patchLeads(body);
    } catch (err) {
      await this.failAll(sending, err);
      return;
    }
    // Our own change comes back as a webhook with this updated_at; recording it makes that
    // echo "not newer" so it changes nothing here.
    for (const l of answer) {
      if (typeof l.updated_at !== 'number') continue;
      await this.dataSource.query(
        `UPDATE leads SET amo_updated_at = GREATEST(COALESCE(amo_updated_at, 0), $2) WHERE amo_lead_id = $1`,
        [l.id, l.updated_at],
      );
    }
    for (const job of sending) {
      await this.finish(job);
      await this.recordLead(job.leadId, LeadSyncState.SYNCED, null);
    }
  }

  // ---------- outcomes ----------

  private async finish(job: AmoSyncJob): Promise<void> {
    await this.dataSource
      .getRepository(AmoSyncJob)
      .update({ id: job.id }, { state: SyncJobState.DONE, leaseUntil: null, lastError: null });
  }

  private async release(job: AmoSyncJob): Promise<void> {
    await this.dataSource.query(
      `UPDATE amo_sync_jobs SET state = 'PENDING', attempts = attempts - 1, lease_until = NULL, next_attempt_at = now() WHERE id = $1`,
      [job.id],
    );
    this.runner.wake();
  }

  private async failAll(jobs: AmoSyncJob[], err: unknown): Promise<void> {
    for (const job of jobs) await this.fail(job, err);
  }

  private async fail(job: AmoSyncJob, err: unknown): Promise<void> {
    const repo = this.dataSource.getRepository(AmoSyncJob);
    if (err instanceof AmoNotConnectedError || err instanceof AmoNotConfiguredError) {
      // the next pass that finds the grant usable releases this job again
      this.wasConnected = false;
      await repo.update(
        { id: job.id },
        {
          state: SyncJobState.HELD,
          attempts: Math.max(0, job.attempts - 1),
          leaseUntil: null,
          lastError: err.message,
        },
      );
      return;
    }
    const amo = err instanceof AmoCrmError ? err : null;
    const message = amo ? amo.describe() : err instanceof Error ? err.message : String(err);
    // a definite refusal from amoCRM means nothing was written; anything else may have been
    const unknown = job.outcomeUnknown || !amo || amo.outcomeUnknown;
    if (amo?.kind === 'blocked') {
      this.pausedUntil = Date.now() + BLOCK_PAUSE_MS;
      this.pauseReason = message;
      this.logger.error(
        `amoCRM blocks API access; sync paused for ${BLOCK_PAUSE_MS / 60_000} min: ${message}`,
      );
    }
    if (amo?.kind === 'permanent' || job.attempts >= this.settings.maxAttempts) {
      await repo.update(
        { id: job.id },
        { state: SyncJobState.DEAD, leaseUntil: null, lastError: message, outcomeUnknown: unknown },
      );
      await this.recordLead(job.leadId, LeadSyncState.DEAD, message);
      this.logger.warn(`Sync job ${job.id} (${job.kind}) is DEAD: ${message}`);
      return;
    }
    const delay =
      amo?.kind === 'rate_limited' && amo.retryAfterMs
        ? amo.retryAfterMs
        : amo?.kind === 'blocked'
          ? BLOCK_PAUSE_MS
          : backoffDelayMs(job.attempts, this.settings.backoffBaseMs, this.settings.backoffCapMs);
    await repo.update(
      { id: job.id },
      {
        state: SyncJobState.PENDING,
        leaseUntil: null,
        lastError: message,
        outcomeUnknown: unknown,
        nextAttemptAt: new Date(Date.now() + delay),
      },
    );
    await this.recordLead(job.leadId, LeadSyncState.FAILED, message);
  }

  private async recordLead(
    leadId: string,
    state: LeadSyncState,
    error: string | null,
  ): Promise<void> {
    await this.dataSource
      .getRepository(Lead)
      .update({ id: leadId }, { syncState: state, syncError: error });
  }

  private async loadLeads(ids: string[]): Promise<Map<string, Lead>> {
    const rows = await this.dataSource.getRepository(Lead).findBy({ id: In(ids) });
    return new Map(rows.map((l) => [l.id, l]));
  }

  private async loadProperties(leads: Map<string, Lead>): Promise<Map<string, Property>> {
    const ids = [
      ...new Set([...leads.values()].map((l) => l.propertyId).filter((x): x is string => !!x)),
    ];
    if (!ids.length) return new Map();
    const rows = await this.dataSource.getRepository(Property).findBy({ id: In(ids) });
    return new Map(rows.map((p) => [p.id, p]));
  }
}
