import { Injectable } from '@nestjs/common';
import { Lead } from '../../leads/lead.entity';
import { AmoCrmApiService } from '../api/amo-crm-api.service';
import { AmoComplexLeadItem, AmoComplexResult } from '../api/amo-crm.types';
import { AmoCrmError } from '../client/amo-crm.error';
import { EffectiveMapping } from '../mapping/amo-mapping';
import { AmoSyncJob } from '../outbox/amo-sync-job.entity';
import { SyncQueueService } from '../outbox/sync-queue.service';
import { ContactDirectoryService } from './contact-directory.service';
import { LostCreateFinder } from './lost-create-finder';
import { ManagerAssignmentService } from './manager-assignment.service';
import { complexLeadItem } from './lead-payload';
import { SyncJobFailures } from './sync-job-failures.service';
import { CreatedLead, SyncJobsRepository } from './sync-jobs.repository';

/** Leads per complex request (amoCRM's limit). */
const COMPLEX_BATCH = 50;
/** Complex requests of one pass in flight together. */
const PARALLEL_CHUNKS = 3;

type Sending = { job: AmoSyncJob; lead: Lead; item: AmoComplexLeadItem };

/**
 * CREATE jobs: each lead with its contact (a known amoCRM contact, or a new one) in complex
 * requests of 50. The guest's comment is a NOTE job written with the create's result. amoCRM's
 * duplicate control may answer with a lead another of ours already has: both then follow it.
 */
@Injectable()
export class CreateLeadsStep {
  constructor(
    private readonly api: AmoCrmApiService,
    private readonly jobs: SyncJobsRepository,
    private readonly failures: SyncJobFailures,
    private readonly contacts: ContactDirectoryService,
    private readonly queue: SyncQueueService,
    private readonly lostCreates: LostCreateFinder,
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
    const titleOf = (l: Lead) =>
      (l.propertyId ? properties.get(l.propertyId)?.title : null) ?? null;
    const lost = await this.lostCreates.find(
      jobs.flatMap((j) => {
        const lead = leads.get(j.leadId);
        return j.outcomeUnknown && lead && !lead.amoLeadId
          ? [{ lead, propertyTitle: titleOf(lead) }]
          : [];
      }),
      mapping,
    );

    for (const job of jobs) {
      const lead = leads.get(job.leadId);
      if (!lead || lead.amoLeadId) {
        await this.jobs.markDone(job);
        continue;
      }
      const property = lead.propertyId ? properties.get(lead.propertyId) : undefined;
      if (job.outcomeUnknown) {
        const found = lost.get(lead.id);
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

    const chunks: Sending[][] = [];
    for (let i = 0; i < sending.length; i += COMPLEX_BATCH) {
      chunks.push(sending.slice(i, i + COMPLEX_BATCH));
    }
    // A few requests in flight at once: the limiter counts each until its answer arrives, so
    // one at a time would leave most of amoCRM's budget unused while a request is answered.
    // Chunks never share a new contact (see above), so their order does not matter.
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < chunks.length) await this.createChunk(chunks[next++], mapping);
    };
    const results = await Promise.allSettled(
      Array.from({ length: Math.min(PARALLEL_CHUNKS, chunks.length) }, worker),
    );
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
  }

  /** One complex create request; what amoCRM confirmed is recorded (with its NOTE jobs). */
  private async createChunk(chunk: Sending[], mapping: EffectiveMapping): Promise<void> {
    // From here on a failure may leave the leads created in amoCRM: the next attempt looks
    // for them first, even if this process dies before recording the answer.
    await this.jobs.markOutcomeUnknown(chunk.map((c) => c.job));
    let results: AmoComplexResult[];
    try {
      results = await this.api.createLeadsComplex(chunk.map((c) => c.item));
    } catch (err) {
      if (await this.contacts.forgetRefused(err, chunk)) {
        // a contact we knew was deleted or merged in amoCRM; nothing was written (amoCRM
        // checks the whole request first): the chunk goes again, finding it anew or creating it
        for (const c of chunk) await this.jobs.putBack(c.job);
        this.queue.wake();
        return;
      }
      await this.failures.failAll(
        chunk.map((c) => c.job),
        err,
      );
      return;
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
}
