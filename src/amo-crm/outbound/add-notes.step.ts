import { Injectable, Logger } from '@nestjs/common';
import { Lead } from '../../leads/lead.entity';
import { AmoCrmApiService } from '../api/amo-crm-api.service';
import { AmoNoteItem } from '../api/amo-crm.types';
import { describeError } from '../client/amo-crm.error';
import { AmoSyncJob } from '../outbox/amo-sync-job.entity';
import { SyncJobsRepository } from './sync-jobs.repository';

/** The guest's comment as a note on the amoCRM lead. */
export function noteItem(lead: Lead & { amoLeadId: number }): AmoNoteItem {
  return {
    entity_id: lead.amoLeadId,
    note_type: 'common',
    params: { text: `Guest's comment: ${lead.comment}` },
  };
}

const withAmoLead = (l: Lead | undefined): l is Lead & { amoLeadId: number } =>
  !!l?.amoLeadId && !!l.comment;

/** NOTE jobs, and the notes of a pass's new leads (amoCRM takes up to 250 per request). */
@Injectable()
export class AddNotesStep {
  private readonly logger = new Logger(AddNotesStep.name);

  constructor(
    private readonly api: AmoCrmApiService,
    private readonly jobs: SyncJobsRepository,
  ) {}

  /**
   * Right after their create: one request for the whole pass. A failure does not undo the
   * creates; each note gets a NOTE job of its own.
   */
  async addAfterCreate(leads: Lead[]): Promise<void> {
    const withComment = leads.filter(withAmoLead);
    if (!withComment.length) return;
    try {
      await this.api.addNotes(withComment.map(noteItem));
    } catch (err) {
      this.logger.warn(`Adding notes failed, queued for retry: ${describeError(err)}`);
      for (const l of withComment) await this.jobs.enqueueNote(l.id);
    }
  }

  /** Throws when the request fails: the caller fails the whole batch. */
  async run(jobs: AmoSyncJob[]): Promise<void> {
    const leads = await this.jobs.loadLeads(jobs);
    const ready = jobs.filter((j) => withAmoLead(leads.get(j.leadId)));
    for (const j of jobs.filter((x) => !ready.includes(x))) await this.jobs.markDone(j);
    if (!ready.length) return;
    await this.api.addNotes(
      ready.map((j) => noteItem(leads.get(j.leadId) as Lead & { amoLeadId: number })),
    );
    for (const j of ready) await this.jobs.markDone(j);
  }
}
