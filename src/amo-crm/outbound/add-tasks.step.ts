import { Injectable } from '@nestjs/common';
import { Lead } from '../../leads/lead.entity';
import { AmoCrmApiService } from '../api/amo-crm-api.service';
import { AmoTaskItem } from '../api/amo-crm.types';
import { AmoCrmError } from '../client/amo-crm.error';
import { EffectiveMapping } from '../mapping/amo-mapping';
import { AmoSyncJob, FrozenWrite } from '../outbox/amo-sync-job.entity';
import { callbackDueAt, methodWord, renderTaskText, timeWord } from './callback-task.rules';
import { TaskJobsRepository } from './callback-task.jobs';
import { SyncJobFailures } from './sync-job-failures.service';
import { SyncJobsRepository } from './sync-jobs.repository';

type Ready = { job: AmoSyncJob; lead: Lead; amoLeadId: number; write: FrozenWrite };

/**
 * TASK jobs: one callback task per lead for its responsible manager, in one request per pass.
 * What a job sends is fixed before its first request; after an attempt of unknown outcome the
 * lead's tasks are read first and a task with the same text and due time counts as sent.
 */
@Injectable()
export class AddTasksStep {
  constructor(
    private readonly api: AmoCrmApiService,
    private readonly jobs: SyncJobsRepository,
    private readonly repo: TaskJobsRepository,
    private readonly failures: SyncJobFailures,
  ) {}

  async run(jobs: AmoSyncJob[], mapping: EffectiveMapping): Promise<void> {
    const leads = await this.jobs.loadLeads(jobs);
    const originals = await this.repo.leadsByIds(
      [...leads.values()].map((l) => l.repeatOf).filter((x): x is string => !!x),
    );
    const properties = await this.jobs.loadProperties(leads.values());
    const ready: Ready[] = [];
    for (const job of jobs) {
      const lead = leads.get(job.leadId);
      // a repeat request's task goes on the deal it joined
      const target = lead?.repeatOf ? originals.get(lead.repeatOf) : lead;
      if (!lead || !target?.amoLeadId) {
        await this.jobs.markDone(job);
        continue;
      }
      const title = lead.propertyId ? (properties.get(lead.propertyId)?.title ?? '') : '';
      const write = job.payload.write ?? this.compose(lead, title, mapping);
      ready.push({ job, lead, amoLeadId: target.amoLeadId, write });
    }
    const toSend = await this.skipAlreadySent(ready);
    if (!toSend.length) return;
    await this.repo.freeze(toSend);
    let answer: { id: number; request_id: string }[];
    try {
      answer = await this.api.addTasks(toSend.map((r) => this.item(r, mapping)));
    } catch (err) {
      await this.failures.failAll(
        toSend.map((r) => r.job),
        err,
      );
      return;
    }
    const byRequest = new Map(answer.map((a) => [String(a.request_id), a.id]));
    for (const r of toSend) {
      const id = byRequest.get(r.job.id);
      if (id !== undefined) await this.repo.done(r.job, { ...r.write, amoId: id });
      else
        await this.failures.fail(
          r.job,
          new AmoCrmError('transient', 'amoCRM did not return this task', { outcomeUnknown: true }),
        );
    }
  }

  private compose(lead: Lead, property: string, mapping: EffectiveMapping): FrozenWrite {
    const template = lead.repeatOf ? mapping.tasks.repeatText : mapping.tasks.text;
    const text = renderTaskText(template, {
      guestName: lead.guestName,
      contactMethod: methodWord(lead.contactMethod),
      contactTime: timeWord(lead.contactTime),
      property: property || 'no property',
      number: lead.number,
      comment: lead.comment ?? '',
    });
    const due = callbackDueAt(lead.contactTime, new Date(), mapping.timezone, mapping.tasks);
    return { text, completeTill: Math.floor(due.getTime() / 1000) };
  }

  private item(r: Ready, mapping: EffectiveMapping): AmoTaskItem {
    return {
      text: r.write.text,
      complete_till: r.write.completeTill ?? Math.floor(Date.now() / 1000),
      entity_id: r.amoLeadId,
      entity_type: 'leads',
      task_type_id: mapping.tasks.typeId,
      ...(r.lead.amoResponsibleUserId ? { responsible_user_id: r.lead.amoResponsibleUserId } : {}),
      request_id: r.job.id,
    };
  }

  /** After an unknown outcome: a task already on the lead with our text and due time is ours. */
  private async skipAlreadySent(ready: Ready[]): Promise<Ready[]> {
    const unsure = ready.filter((r) => r.job.outcomeUnknown && r.job.payload.write);
    if (!unsure.length) return ready;
    const existing = await this.api.tasksOfLeads([...new Set(unsure.map((r) => r.amoLeadId))]);
    const rest: Ready[] = [];
    for (const r of ready) {
      const found = r.job.outcomeUnknown
        ? existing.find(
            (t) =>
              t.entity_id === r.amoLeadId &&
              t.text === r.write.text &&
              t.complete_till === r.write.completeTill,
          )
        : undefined;
      if (found) await this.repo.done(r.job, { ...r.write, amoId: found.id });
      else rest.push(r);
    }
    return rest;
  }
}
