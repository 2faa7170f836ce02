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
import { CreateLeadsStep } from './create-leads.step';
import { DispatcherLeadership } from './dispatcher-leadership';
import { JoinRepeatStep } from './join-repeat.step';
import { PatchLeadsStep } from './patch-leads.step';
import { SyncJobFailures } from './sync-job-failures.service';
import { SyncJobsRepository } from './sync-jobs.repository';

/** What a held lead shows: the connection's own error, else what to do about it. */
function heldReason(status: ConnectionStatus): string {
  if (status.lastError) return `waiting for amoCRM: ${status.lastError}`;
  const state = status.state === 'NOT_CONFIGURED' ? 'NOT_CONNECTED' : status.state;
  return new AmoNotConnectedError(state, status.authMode ?? 'OAUTH').message;
}

/** Jobs claimed per pass: creates go out 50 per complex request, notes 250 per request. */
const BATCH = 250;
const PATCH_BATCH = 50;

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

  constructor(
    private readonly queue: SyncQueueService,
    private readonly jobs: SyncJobsRepository,
    private readonly failures: SyncJobFailures,
    private readonly creates: CreateLeadsStep,
    private readonly updates: PatchLeadsStep,
    private readonly notes: AddNotesStep,
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
    for (const off of this.unsubscribe) off();
    await this.runner.stop();
    await this.leadership.release();
  }

  wake(): void {
    this.runner.wake();
  }

  /** Set while sync is paused because amoCRM blocks API access (shown in the admin sync view). */
  get pause(): { until: string; reason: string } | null {
    return this.failures.pause;
  }

  /** Resolves when nothing due is left (used by tests and the bulk benchmark). */
  async idle(): Promise<void> {
    await this.runner.idle();
  }

  private async drain(): Promise<void> {
    if (!(await this.leadership.isLeader())) return;
    if (!(await this.holdOrRelease())) return;
    while (!this.runner.stopped && Date.now() >= this.failures.pausedUntilMs) {
      const jobs = await this.jobs.claimDue(BATCH, this.settings.leaseSec);
      if (!jobs.length) return;
      await this.process(jobs);
    }
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

  private async process(jobs: AmoSyncJob[]): Promise<void> {
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
    if (creates.length) await this.guard(creates, () => this.creates.run(creates, mapping));
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
