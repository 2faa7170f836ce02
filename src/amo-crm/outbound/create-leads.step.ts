import { Injectable } from '@nestjs/common';
import { Lead } from '../../leads/lead.entity';
import { AmoCrmApiService } from '../api/amo-crm-api.service';
import { AmoComplexLeadItem, AmoComplexResult, AmoLeadRead } from '../api/amo-crm.types';
import { AmoCrmError } from '../client/amo-crm.error';
import { EffectiveMapping } from '../mapping/amo-mapping';
import { AmoSyncJob } from '../outbox/amo-sync-job.entity';
import { SyncQueueService } from '../outbox/sync-queue.service';
import { AddNotesStep } from './add-notes.step';
import { ContactDirectoryService } from './contact-directory.service';
import { ManagerAssignmentService } from './manager-assignment.service';
import { amoLeadName, complexLeadItem } from './lead-payload';
import { SyncJobFailures } from './sync-job-failures.service';
import { CreatedLead, SyncJobsRepository } from './sync-jobs.repository';

/** Leads per complex request (amoCRM's limit). */
const COMPLEX_BATCH = 50;

type Sending = { job: AmoSyncJob; lead: Lead; item: AmoComplexLeadItem };

/**
 * CREATE jobs: each lead with its contact (a known amoCRM contact, or a new one) in complex
 * requests of 50, then the pass's notes in one request.
 */
@Injectable()
export class CreateLeadsStep {
  constructor(
    private readonly api: AmoCrmApiService,
    private readonly jobs: SyncJobsRepository,
    private readonly failures: SyncJobFailures,
    private readonly contacts: ContactDirectoryService,
    private readonly notes: AddNotesStep,
    private readonly queue: SyncQueueService,
    private readonly managers: ManagerAssignmentService,
  ) {}

  async run(jobs: AmoSyncJob[], mapping: EffectiveMapping): Promise<void> {
    const leads = await this.jobs.loadLeads(jobs);
    const properties = await this.jobs.loadProperties(leads.values());
    await this.contacts.refresh();
    const knownContacts = await this.contacts.findMany(
      [...leads.values()].map((l) => ({ id: l.id, phone: l.guestPhone, email: l.guestEmail })),
    );
    const sending: Sending[] = [];
    const newContactKeys = new Set<string>();
    const created: CreatedLead[] = [];

    for (const job of jobs) {
      const lead = leads.get(job.leadId);
      if (!lead || lead.amoLeadId) {
        await this.jobs.markDone(job);
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
        await this.jobs.putBack(job);
        this.queue.wake();
        continue;
      }
      if (!contactId) keys.forEach((k) => newContactKeys.add(k));
      const title = property?.title ?? null;
      const item = complexLeadItem(lead, title, property?.price ?? null, mapping, contactId);
      sending.push({ job, lead, item });
    }
    await this.record(created, mapping);
    await this.managers.assign(sending, properties, mapping);

    for (let i = 0; i < sending.length; i += COMPLEX_BATCH) {
      created.push(...(await this.createChunk(sending.slice(i, i + COMPLEX_BATCH), mapping)));
    }
    await this.notes.addAfterCreate(created.map((c) => c.lead));
  }

  /** One complex create request; returns what amoCRM confirmed, already recorded. */
  private async createChunk(chunk: Sending[], mapping: EffectiveMapping): Promise<CreatedLead[]> {
    // From here on a failure may leave the leads created in amoCRM: the next attempt looks
    // for them first, even if this process dies before recording the answer.
    await this.jobs.markOutcomeUnknown(chunk.map((c) => c.job));
    let results: AmoComplexResult[];
    try {
      results = await this.api.createLeadsComplex(chunk.map((c) => c.item));
    } catch (err) {
      await this.failures.failAll(
        chunk.map((c) => c.job),
        err,
      );
      return [];
    }
    const byRequest = new Map<string, AmoComplexResult>();
    for (const r of results) for (const id of [r.request_id].flat()) byRequest.set(String(id), r);
    const created: CreatedLead[] = [];
    for (const { job, lead } of chunk) {
      const r = byRequest.get(lead.id);
      if (r) {
        created.push({ job, lead, amoLeadId: r.id, amoContactId: r.contact_id });
        continue;
      }
      await this.failures.fail(
        job,
        new AmoCrmError('transient', 'amoCRM did not return this lead in the complex response', {
          outcomeUnknown: true,
        }),
      );
    }
    await this.record(created, mapping);
    return created;
  }

  private async record(created: CreatedLead[], mapping: EffectiveMapping): Promise<void> {
    if (!created.length) return;
    const tasks = created.filter((c) => this.managers.wantsTask(c.lead, mapping));
    await this.jobs.markCreated(
      created,
      tasks.map((c) => c.lead.id),
    );
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
}
