import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { DataSource } from 'typeorm';
import { AppConfig } from '../../config/configuration';
import { Lead } from '../../leads/lead.entity';
import { AmoIncomingState } from '../../leads/lead.enums';
import { AmoCrmApiService } from '../api/amo-crm-api.service';
import { AmoLeadRead, AmoUnsortedCreated, AmoUnsortedFormItem } from '../api/amo-crm.types';
import { AmoCrmError } from '../client/amo-crm.error';
import { EffectiveMapping } from '../mapping/amo-mapping';
import { AmoSyncJob } from '../outbox/amo-sync-job.entity';
import { incomingFormItem } from './incoming-payload';
import { amoLeadName } from './lead-payload';
import { SyncJobFailures } from './sync-job-failures.service';
import { CreatedLead, SyncJobsRepository } from './sync-jobs.repository';

/** Entries per request: amoCRM documents no limit for incoming leads; the complex one is used. */
const FORMS_BATCH = 50;

type Sending = { job: AmoSyncJob; lead: Lead; item: AmoUnsortedFormItem };
type Created = CreatedLead & { uid: string | null; waiting: boolean };

/**
 * CREATE jobs in incoming-leads mode (AMO_LEAD_TARGET=incoming): each new lead becomes an entry
 * of amoCRM's incoming leads through the API's unsorted-forms call, 50 per request, so
 * managers are alerted as for amoCRM's own site forms. The guest's comment becomes a NOTE job,
 * which waits with every other change until a manager accepts the entry (amoCRM takes no notes
 * on an incoming lead). As for plain creates, an attempt whose answer was lost is followed by
 * a lookup of our marker before anything is sent again.
 */
@Injectable()
export class CreateIncomingLeadsStep {
  private readonly sourceName: string;
  private readonly fallbackPage: string;

  constructor(
    private readonly api: AmoCrmApiService,
    private readonly jobs: SyncJobsRepository,
    private readonly failures: SyncJobFailures,
    private readonly dataSource: DataSource,
    config: ConfigService<AppConfig, true>,
  ) {
    const amo = config.get('amo', { infer: true });
    this.sourceName = amo.incomingSourceName;
    // amoCRM wants a form page; a lead whose form sent none and had no Referer gets our origin.
    this.fallbackPage = amo.webhookBaseUrl || `https://${amo.domain}`;
  }

  async run(jobs: AmoSyncJob[], mapping: EffectiveMapping): Promise<void> {
    const leads = await this.jobs.loadLeads(jobs);
    const properties = await this.jobs.loadProperties(leads.values());
    const sending: Sending[] = [];
    const adopted: Created[] = [];
    // one listing per pipeline and pass, however many leads need their uid looked up
    const waitingIn = new Map<number, Promise<AmoUnsortedCreated[]>>();
    for (const job of jobs) {
      const lead = leads.get(job.leadId);
      if (!lead || lead.amoLeadId) {
        await this.jobs.markDone(job);
        continue;
      }
      const property = lead.propertyId ? properties.get(lead.propertyId) : undefined;
      const title = property?.title ?? null;
      if (job.outcomeUnknown) {
        const found = await this.findOurLead(lead, title, mapping);
        if (found) {
          const waiting = (mapping.incomingStages ?? []).includes(found.status_id ?? -1);
          const uid = waiting ? await this.findUid(found, waitingIn) : null;
          const amoContactId = found._embedded?.contacts?.[0]?.id ?? null;
          adopted.push({ job, lead, amoLeadId: found.id, amoContactId, uid, waiting });
          continue;
        }
      }
      const opts = { sourceName: this.sourceName, fallbackPage: this.fallbackPage };
      const item = incomingFormItem(lead, title, property?.price ?? null, mapping, opts);
      sending.push({ job, lead, item });
    }
    await this.record(adopted);
    for (let i = 0; i < sending.length; i += FORMS_BATCH) {
      await this.sendChunk(sending.slice(i, i + FORMS_BATCH));
    }
  }

  private async sendChunk(chunk: Sending[]): Promise<void> {
    // From here on the entries may exist in amoCRM even if this process dies now.
    await this.jobs.markOutcomeUnknown(chunk.map((c) => c.job));
    let answer: AmoUnsortedCreated[];
    try {
      answer = await this.api.createUnsortedForms(chunk.map((c) => c.item));
    } catch (err) {
      await this.failures.failAll(
        chunk.map((c) => c.job),
        err,
      );
      return;
    }
    const byRequest = new Map(answer.map((a) => [String(a.request_id), a]));
    const created: Created[] = [];
    for (const { job, lead } of chunk) {
      const a = byRequest.get(lead.id);
      const amoLeadId = a?._embedded?.leads?.[0]?.id;
      if (a && amoLeadId) {
        const amoContactId = a._embedded?.contacts?.[0]?.id ?? null;
        created.push({ job, lead, amoLeadId, amoContactId, uid: a.uid, waiting: true });
        continue;
      }
      await this.failures.fail(
        job,
        new AmoCrmError('transient', 'amoCRM did not return this lead in the incoming answer', {
          outcomeUnknown: true,
        }),
      );
    }
    await this.record(created);
  }

  /** The entry first, then the job (and its NOTE job, written with it): a crash in between is repaired by the marker lookup. */
  private async record(created: Created[]): Promise<void> {
    if (!created.length) return;
    await this.dataSource.query(
      `UPDATE leads SET amo_unsorted_uid = v.uid, amo_incoming_state = v.state
         FROM unnest($1::uuid[], $2::varchar[], $3::varchar[]) AS v(id, uid, state)
        WHERE leads.id = v.id`,
      [
        created.map((c) => c.lead.id),
        created.map((c) => c.uid),
        created.map((c) => (c.waiting ? AmoIncomingState.WAITING : AmoIncomingState.ACCEPTED)),
      ],
    );
    await this.jobs.markCreated(created);
  }

  /** After an attempt of unknown outcome: is our lead already in amoCRM? */
  private async findOurLead(
    lead: Lead,
    propertyTitle: string | null,
    mapping: EffectiveMapping,
  ): Promise<AmoLeadRead | null> {
    const name = amoLeadName(lead, propertyTitle);
    const marker = mapping.fields.ourLeadId;
    const found = await this.api.findLeads(marker ? lead.id : name);
    return (
      found.find((l) =>
        marker
          ? (l.custom_fields_values ?? []).some(
              (f) => f.field_id === marker && f.values?.some((v) => v.value === lead.id),
            )
          : l.name === name,
      ) ?? null
    );
  }

  /** The waiting entry holding an adopted lead, for the record; null when not found. */
  private async findUid(
    found: AmoLeadRead,
    waitingIn: Map<number, Promise<AmoUnsortedCreated[]>>,
  ): Promise<string | null> {
    const pipelineId = found.pipeline_id;
    if (!pipelineId) return null;
    if (!waitingIn.has(pipelineId)) waitingIn.set(pipelineId, this.api.waitingUnsorted(pipelineId));
    const entries = (await waitingIn.get(pipelineId)) ?? [];
    return entries.find((e) => e._embedded?.leads?.some((l) => l.id === found.id))?.uid ?? null;
  }
}
