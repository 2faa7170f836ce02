import { Injectable } from '@nestjs/common';
import { Lead } from '../../leads/lead.entity';
import { AmoCrmApiService } from '../api/amo-crm-api.service';
import { AmoNoteItem } from '../api/amo-crm.types';
import { AmoSyncJob } from '../outbox/amo-sync-job.entity';
import { SyncJobsRepository } from './sync-jobs.repository';

type NotedLead = Lead & { amoLeadId: number; comment: string };

/** The text we write; the lead's number tells apart two of our leads on one amoCRM lead. */
export function noteText(lead: Pick<Lead, 'number' | 'comment'>): string {
  return `Guest's comment (lead #${lead.number}): ${lead.comment ?? ''}`;
}

/** The guest's comment as a note on the amoCRM lead. */
export function noteItem(lead: NotedLead): AmoNoteItem {
  return { entity_id: lead.amoLeadId, note_type: 'common', params: { text: noteText(lead) } };
}

const noted = (l: Lead | undefined): l is NotedLead => !!l?.amoLeadId && !!l.comment;

/**
 * NOTE jobs: written with the create's result (same transaction), so a comment is never left
 * behind by a crash. A job whose earlier attempt may have reached amoCRM first looks at the
 * lead's notes there and sends only what is missing, so each comment arrives exactly once.
 * amoCRM takes up to 250 notes per request; the dispatcher claims at most that many.
 */
@Injectable()
export class AddNotesStep {
  constructor(
    private readonly api: AmoCrmApiService,
    private readonly jobs: SyncJobsRepository,
  ) {}

  /** Throws when a request fails: the caller fails the whole batch. */
  async run(jobs: AmoSyncJob[]): Promise<void> {
    const leads = await this.jobs.loadLeads(jobs);
    const ready = jobs.filter((j) => noted(leads.get(j.leadId)));
    const nothingToSend = jobs.filter((j) => !ready.includes(j));
    const present = await this.alreadyInAmo(ready, leads);
    const sending = ready.filter((j) => !present.has(j.id));
    await this.jobs.markManyDoneAndSynced([
      ...nothingToSend,
      ...ready.filter((j) => present.has(j.id)),
    ]);
    if (!sending.length) return;
    // From here on a lost answer may still have added the notes: the next attempt looks first.
    await this.jobs.markOutcomeUnknown(sending);
    await this.api.addNotes(sending.map((j) => noteItem(leads.get(j.leadId) as NotedLead)));
    await this.jobs.markManyDoneAndSynced(sending);
  }

  /** Jobs of unknown outcome whose note amoCRM already has. */
  private async alreadyInAmo(jobs: AmoSyncJob[], leads: Map<string, Lead>): Promise<Set<string>> {
    const unsure = jobs.filter((j) => j.outcomeUnknown);
    const found = new Set<string>();
    if (!unsure.length) return found;
    const ids = [...new Set(unsure.map((j) => (leads.get(j.leadId) as NotedLead).amoLeadId))];
    const notes = await this.api.notesOf(ids);
    const have = new Set(notes.map((n) => `${n.entity_id}\u0000${n.params?.text ?? ''}`));
    for (const j of unsure) {
      const lead = leads.get(j.leadId) as NotedLead;
      if (have.has(`${lead.amoLeadId}\u0000${noteText(lead)}`)) found.add(j.id);
    }
    return found;
  }
}
