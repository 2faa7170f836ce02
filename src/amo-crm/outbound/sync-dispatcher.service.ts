import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { AppConfig, SyncSettings } from '../../config/configuration';
import { DatabaseLocation } from '../../database/database.module';
import { PassRunner } from '../../common/pass-runner';
import { AmoConnectionState } from '../auth/amo-token.entity';
import { AmoNotConnectedError } from '../auth/amo-connection.errors';
import { AmoTokenService, ConnectionStatus } from '../auth/amo-token.service';
import { describeError } from '../client/amo-crm.error';
import { AmoConnectionEvents } from '../connection/amo-connection.events';
import { EffectiveMapping } from '../mapping/amo-mapping';
import { AmoMappingService } from '../mapping/amo-mapping.service';
import { AmoSyncJob, SyncJobKind } from '../outbox/amo-sync-job.entity';
import { SyncQueueService } from '../outbox/sync-queue.service';
import { AddNotesStep } from './add-notes.step';
import { AddTasksStep } from './add-tasks.step';
import { AmoOutageGate, OutageView } from './amo-outage.gate';
import { CreateLeadsStep } from './create-leads.step';
import { CreateIncomingLeadsStep } from './create-incoming-leads.step';
import { IncomingJobsGate } from './incoming-jobs.gate';
import { DispatcherLeadership } from './dispatcher-leadership';
import { JoinRepeatStep } from './join-repeat.step';
import { PatchLeadsStep } from './patch-leads.step';
import { SyncJobFailures } from './sync-job-failures.service';
import { SyncJobsRepository } from './sync-jobs.repository';
import { SyncPause, SyncPauseStore } from './sync-pause.store';
import { SyncRecoveryRepository } from './sync-recovery.repository';

/** What a held lead shows: the connection's own error, else what to do about it. */
function heldReason(status: ConnectionStatus): string {
  if (status.lastError) return `waiting for amoCRM: ${status.lastError}`;
  const state = status.state === 'NOT_CONFIGURED' ? 'NOT_CONNECTED' : status.state;
  return new AmoNotConnectedError(state, status.authMode ?? 'OAUTH').message;
}

/** Jobs claimed per pass: creates go out 50 per complex request, notes 250 per request. */
const BATCH = 250;
const PATCH_BATCH = 50;
/** After a pass failed midway, try to give its claims back this soon. */
const STRANDED_RETRY_MS = 500;

/**
 * Drains the outbox into amoCRM. Jobs are claimed with FOR UPDATE SKIP LOCKED and a lease,
 * so several instances never take the same job and a crashed instance's job comes back; a
 * job waits while an earlier one of the same lead is unfinished, so an UPDATE never
 * overtakes its CREATE. Woken in-process after each commit, with a poll as a safety net.
 * This is the loop; the statements, the retry policy and the work per job kind are beside it.
 */
@Injectable()
export class SyncDispatcherService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(SyncDispatcherService.name);
  private readonly settings: SyncSettings;
  private readonly leadership: DispatcherLeadership;
  private timer: NodeJS.Timeout | null = null;
  private readonly runner = new PassRunner(
    () => this.drain(),
    (err: unknown) => this.logger.error(`Sync pass failed: ${describeError(err)}`),
  );
  private unsubscribe: (() => void)[] = [];
  private wasConnected = false;
  /** Ids claimed by the pass in progress; left set when the pass fails. */
  private stranded: string[] = [];
  private wakeTimer: NodeJS.Timeout | null = null;
  private wakeAt = 0;

  constructor(
    private readonly queue: SyncQueueService,
    private readonly jobs: SyncJobsRepository,
    private readonly failures: SyncJobFailures,
    private readonly recovery: SyncRecoveryRepository,
    private readonly pauses: SyncPauseStore,
    private readonly gate: AmoOutageGate,
    private readonly creates: CreateLeadsStep,
    private readonly updates: PatchLeadsStep,
    private readonly notes: AddNotesStep,
    private readonly incoming: IncomingJobsGate,
    private readonly incomingCreates: CreateIncomingLeadsStep,
    private readonly tasks: AddTasksStep,
    private readonly repeats: JoinRepeatStep,
    private readonly tokens: AmoTokenService,
    private readonly mapping: AmoMappingService,
    private readonly connection: AmoConnectionEvents,
    location: DatabaseLocation,
    config: ConfigService<AppConfig, true>,
  ) {
    this.settings = config.get('sync', { infer: true });
    this.leadership = new DispatcherLeadership(location.embedded ? null : location.url);
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
    if (this.wakeTimer) clearTimeout(this.wakeTimer);
    for (const off of this.unsubscribe) off();
    await this.runner.stop();
    await this.leadership.release();
  }

  wake(): void {
    this.runner.wake();
  }

  /** The stored pause (429 `retry_after`, block) or null, for the admin sync view. */
  async pause(): Promise<SyncPause | null> {
    return this.pauses.current();
  }

  /** Set while amoCRM is known to be down and only the probe is sent. */
  get outage(): OutageView | null {
    return this.gate.outage;
  }

  /** Resolves when nothing due is left (used by tests and the bulk benchmark). */
  async idle(): Promise<void> {
    await this.runner.idle();
  }

  private async drain(): Promise<void> {
    if (!(await this.leadership.isLeader())) return;
    if (this.leadership.tookOver()) {
      // the previous holder of the lock is gone: its leases need not run out
      const n = await this.recovery.releaseAllLeases();
      if (n) this.logger.log(`Released ${n} jobs leased by the previous dispatcher`);
    }
    await this.releaseStranded();
    if (!(await this.holdOrRelease())) return;
    while (!this.runner.stopped && (await this.mayClaim())) {
      const jobs = await this.jobs.claimDue(BATCH, this.settings.leaseSec);
      if (!jobs.length) return;
      this.stranded = jobs.map((j) => j.id);
      try {
        await this.process(jobs);
      } catch (err) {
        // e.g. the database went away mid-pass: the claims go back as soon as it answers
        this.wakeIn(STRANDED_RETRY_MS);
        throw err;
      }
      this.stranded = [];
    }
  }

  /** Claims of a pass that failed midway, released instead of waiting out their lease. */
  private async releaseStranded(): Promise<void> {
    if (!this.stranded.length) return;
    let n: number;
    try {
      n = await this.recovery.releaseLeases(this.stranded);
    } catch (err) {
      this.wakeIn(STRANDED_RETRY_MS);
      throw err;
    }
    this.stranded = [];
    if (n) this.logger.log(`Released ${n} jobs claimed by a pass that failed`);
  }

  /** Neither a stored pause (429, block) nor an amoCRM outage holds the queue. */
  private async mayClaim(): Promise<boolean> {
    const pausedUntil = await this.pauses.refresh();
    if (pausedUntil > Date.now()) {
      this.wakeIn(pausedUntil - Date.now());
      return false;
    }
    return this.gate.passable(() => this.wake());
  }

  private wakeIn(ms: number): void {
    const at = Date.now() + ms;
    if (this.wakeTimer && this.wakeAt <= at) return;
    if (this.wakeTimer) clearTimeout(this.wakeTimer);
    this.wakeAt = at;
    this.wakeTimer = setTimeout(
      () => {
        this.wakeTimer = null;
        this.wake();
      },
      Math.max(ms, 1),
    );
    this.wakeTimer.unref();
  }

  /**
   * Without a usable grant, pending jobs are parked as HELD rather than burning attempts; when
   * the connection comes back (checked once per pass), they are released in one statement.
   */
  private async holdOrRelease(): Promise<boolean> {
    const status = await this.tokens.status();
    const connected = status.state === AmoConnectionState.CONNECTED;
    if (!connected) await this.jobs.holdPending(heldReason(status));
    else if (!this.wasConnected || this.failures.heldForGrant) await this.jobs.releaseHeld();
    this.failures.heldForGrant = false;
    this.wasConnected = connected;
    return connected;
  }

  private async process(claimed: AmoSyncJob[]): Promise<void> {
    const jobs = await this.incoming.admit(claimed);
    let mapping: EffectiveMapping;
    try {
      mapping = await this.mapping.get();
    } catch (err) {
      await this.failures.failAll(jobs, err);
      return;
    }
    const creates = jobs.filter((j) => j.kind === SyncJobKind.CREATE);
    const updates = jobs.filter(
      (j) => j.kind === SyncJobKind.UPDATE || j.kind === SyncJobKind.STATUS,
    );
    const notes = jobs.filter((j) => j.kind === SyncJobKind.NOTE);
    const createStep = this.incoming.enabled ? this.incomingCreates : this.creates;
    if (creates.length) await this.guard(creates, () => createStep.run(creates, mapping));
    for (let i = 0; i < updates.length; i += PATCH_BATCH) {
      const chunk = updates.slice(i, i + PATCH_BATCH);
      await this.guard(chunk, () => this.updates.run(chunk, mapping));
    }
    if (notes.length) await this.guard(notes, () => this.notes.run(notes));
    const of = (kind: SyncJobKind) => jobs.filter((j) => j.kind === kind);
    const [repeats, tasks] = [of(SyncJobKind.REPEAT), of(SyncJobKind.TASK)];
    if (repeats.length) await this.guard(repeats, () => this.repeats.run(repeats, mapping));
    if (tasks.length) await this.guard(tasks, () => this.tasks.run(tasks, mapping));
  }

  /** A step that throws fails every job it was given; the retry policy sorts them out. */
  private async guard(jobs: AmoSyncJob[], run: () => Promise<void>): Promise<void> {
    try {
      await run();
    } catch (err) {
      await this.failures.failAll(jobs, err);
    }
  }
}
