import { Injectable } from '@nestjs/common';
import { Lead } from '../../leads/lead.entity';
import { AmoCrmApiService } from '../api/amo-crm-api.service';
import { AmoSyncJob, FrozenWrite } from '../outbox/amo-sync-job.entity';
import { EffectiveMapping } from '../mapping/amo-mapping';
import { enqueueCallbackTasks, TaskJobsRepository } from './callback-task.jobs';
import { ManagerAssignmentService } from './manager-assignment.service';
import { SyncJobFailures } from './sync-job-failures.service';
import { SyncJobsRepository } from './sync-jobs.repository';

/** How long a repeat waits before looking again for its original in amoCRM. */
const WAIT_FOR_ORIGINAL_MS = 5_000;

/** The note a repeat request leaves on the deal it joins. */
export function repeatNoteText(repeat: Lead): string {
  const comment = repeat.comment ? `: ${repeat.comment}` : ' (no comment)';
  return `Repeat request (lead #${repeat.number}) from ${repeat.guestName}${comment}`;
}

/**
 * REPEAT jobs (docs/MANAGERS.md): a repeat request opens no deal. It leaves a "repeat request"
 * note with its comment on its original's deal, and, in the transaction that records the note,
 * a TASK job for the original's manager. It waits while the original is not in amoCRM yet.
 */
@Injectable()
export class JoinRepeatStep {
  constructor(
    private readonly api: AmoCrmApiService,
    private readonly jobs: SyncJobsRepository,
    private readonly repo: TaskJobsRepository,
    private readonly failures: SyncJobFailures,
    private readonly managers: ManagerAssignmentService,
  ) {}

  async run(jobs: AmoSyncJob[], mapping: EffectiveMapping): Promise<void> {
    const leads = await this.jobs.loadLeads(jobs);
    const originals = await this.repo.leadsByIds(
      [...leads.values()].map((l) => l.repeatOf).filter((x): x is string => !!x),
    );
    for (const job of jobs) {
      const lead = leads.get(job.leadId);
      const original = lead?.repeatOf ? originals.get(lead.repeatOf) : undefined;
      if (!lead || !original) {
        await this.jobs.markDone(job);
        continue;
      }
      if (!original.amoLeadId) {
        await this.repo.defer(
          job,
          WAIT_FOR_ORIGINAL_MS,
          `repeat of lead #${original.number}: waiting for it to reach amoCRM`,
        );
        continue;
      }
      try {
        await this.join(job, lead, original as Lead & { amoLeadId: number }, mapping);
      } catch (err) {
        await this.failures.fail(job, err);
      }
    }
  }

  private async join(
    job: AmoSyncJob,
    lead: Lead,
    original: Lead & { amoLeadId: number },
    mapping: EffectiveMapping,
  ): Promise<void> {
    const write: FrozenWrite = job.payload.write ?? { text: repeatNoteText(lead) };
    const already =
      job.outcomeUnknown && job.payload.write
        ? (await this.api.notesOfLead(original.amoLeadId)).find(
            (n) => n.params?.text === write.text,
          )
        : undefined;
    if (!already) {
      await this.repo.freeze([{ job, write }]);
      await this.api.addNotes([
        { entity_id: original.amoLeadId, note_type: 'common', params: { text: write.text } },
      ]);
    }
    await this.repo.done(job, write, async (em) => {
      await this.repo.copyDecision(em, lead, original);
      if (this.managers.wantsTask(original, mapping)) await enqueueCallbackTasks(em, [lead.id]);
    });
  }
}
