import { Injectable, Logger } from '@nestjs/common';
import { AmoCrmApiService } from '../api/amo-crm-api.service';
import { AmoLeadPatch, AmoLeadPatched } from '../api/amo-crm.types';
import { EffectiveMapping } from '../mapping/amo-mapping';
import { AmoSyncJob } from '../outbox/amo-sync-job.entity';
import { leadCustomFields } from './lead-payload';
import { SyncJobFailures } from './sync-job-failures.service';
import { SyncJobsRepository } from './sync-jobs.repository';

/**
 * UPDATE and STATUS jobs of up to 50 leads as one PATCH. Values are read from the lead when
 * sent, so coalesced edits go out as the lead is now.
 */
@Injectable()
export class PatchLeadsStep {
  private readonly logger = new Logger(PatchLeadsStep.name);

  constructor(
    private readonly api: AmoCrmApiService,
    private readonly jobs: SyncJobsRepository,
    private readonly failures: SyncJobFailures,
  ) {}

  async run(jobs: AmoSyncJob[], mapping: EffectiveMapping): Promise<void> {
    const leads = await this.jobs.loadLeads(jobs);
    const body: AmoLeadPatch[] = [];
    const sending: AmoSyncJob[] = [];
    for (const job of jobs) {
      const lead = leads.get(job.leadId);
      // Not in amoCRM yet: its CREATE carries the current values.
      if (!lead?.amoLeadId) {
        await this.jobs.markDone(job);
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
          await this.jobs.recordLeadSyncNote(
            lead.id,
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
        await this.jobs.markDone(job);
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
      await this.failures.failAll(sending, err);
      return;
    }
    // Our own change comes back as a webhook with this updated_at; recording it makes that
    // echo "not newer" so it changes nothing here.
    for (const l of answer) {
      if (typeof l.updated_at === 'number') await this.jobs.recordAmoUpdatedAt(l.id, l.updated_at);
    }
    for (const job of sending) await this.jobs.markDoneAndSynced(job);
  }
}
