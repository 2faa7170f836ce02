import { Injectable, Logger } from '@nestjs/common';
import { Lead } from '../../leads/lead.entity';
import { ResponsibleSource } from '../../leads/lead.enums';
import { Property } from '../../properties/property.entity';
import { AmoCrmApiService } from '../api/amo-crm-api.service';
import { AmoComplexLeadItem } from '../api/amo-crm.types';
import { EffectiveMapping } from '../mapping/amo-mapping';
import { decideManager, managerForTurn } from '../mapping/managers';
import { TaskJobsRepository } from './callback-task.jobs';

/** Problems kept for the mapping view: the newest, at most this many. */
const MAX_PROBLEMS = 50;

const ASSIGNED = new Set([
  ResponsibleSource.PROPERTY,
  ResponsibleSource.CONTACT,
  ResponsibleSource.ROUND_ROBIN,
]);

/**
 * Who is responsible in amoCRM for each new lead (docs/MANAGERS.md): decided once, before the
 * lead's first send, and kept on the lead, so a retry sends the same manager and a round-robin
 * turn is never spent twice. A manager who has since become inactive is decided again rather
 * than sent (amoCRM would refuse the whole batch).
 */
@Injectable()
export class ManagerAssignmentService {
  private readonly logger = new Logger(ManagerAssignmentService.name);
  private readonly problems = new Map<string, string>();

  constructor(
    private readonly api: AmoCrmApiService,
    private readonly repo: TaskJobsRepository,
  ) {}

  /** The mapping with the ids this process skipped (inactive or unknown agents, contacts' managers). */
  withProblems(mapping: EffectiveMapping): EffectiveMapping {
    return { ...mapping, problems: [...mapping.problems, ...this.problems.values()] };
  }

  /** Decides for the leads that need it, then names the manager on each complex item. */
  async assign(
    sending: { lead: Lead; item: AmoComplexLeadItem }[],
    properties: Map<string, Property>,
    mapping: EffectiveMapping,
  ): Promise<void> {
    const active = new Set(mapping.managers.active.map((m) => m.id));
    const undecided = sending.filter(
      ({ lead }) =>
        !lead.amoResponsibleSource ||
        (lead.amoResponsibleUserId !== null && !active.has(lead.amoResponsibleUserId)),
    );
    if (undecided.length) await this.decide(undecided, properties, mapping);
    for (const { lead, item } of sending) {
      const userId = lead.amoResponsibleUserId;
      if (userId === null) continue;
      item.responsible_user_id = userId;
      const contact = item._embedded.contacts[0];
      if (contact && !('id' in contact)) contact.responsible_user_id = userId;
    }
  }

  /** A callback task is written for a lead whose manager our rules chose. */
  wantsTask(lead: Lead, mapping: EffectiveMapping): boolean {
    return (
      mapping.tasks.enabled &&
      !!lead.amoResponsibleSource &&
      ASSIGNED.has(lead.amoResponsibleSource)
    );
  }

  private async decide(
    undecided: { lead: Lead; item: AmoComplexLeadItem }[],
    properties: Map<string, Property>,
    mapping: EffectiveMapping,
  ): Promise<void> {
    const contactOf = (item: AmoComplexLeadItem): number | null => {
      const c = item._embedded.contacts[0];
      return c && 'id' in c ? c.id : null;
    };
    const contactIds = mapping.managers.contactManager
      ? [...new Set(undecided.map((u) => contactOf(u.item)).filter((x): x is number => x !== null))]
      : [];
    const contacts = await this.api.contactsByIds(contactIds);
    const contactManager = new Map(contacts.map((c) => [c.id, c.responsible_user_id ?? null]));
    const decisions = undecided.map(({ lead, item }) => {
      const agent = lead.propertyId ? properties.get(lead.propertyId)?.amoResponsibleUserId : null;
      const contactId = contactOf(item);
      const decision = decideManager(
        {
          propertyAgent: agent ?? null,
          contactManager: contactId === null ? null : (contactManager.get(contactId) ?? null),
        },
        mapping.managers,
      );
      for (const why of decision.skipped) this.remember(lead, why, decision.source);
      return { lead, decision };
    });
    const turns = decisions.filter((d) => d.decision.source === ResponsibleSource.ROUND_ROBIN);
    let turn = turns.length ? await this.repo.takeTurns(turns.length) : 0;
    const saved = decisions.map(({ lead, decision }) => {
      const userId =
        decision.source === ResponsibleSource.ROUND_ROBIN
          ? managerForTurn(turn++, mapping.managers)
          : decision.userId;
      lead.amoResponsibleUserId = userId;
      lead.amoResponsibleSource = decision.source;
      return { leadId: lead.id, userId, source: decision.source };
    });
    await this.repo.saveDecisions(saved);
  }

  private remember(lead: Lead, why: string, fallback: ResponsibleSource): void {
    this.logger.warn(`Lead #${lead.number}: ${why}; skipped, responsible by ${fallback}`);
    this.problems.delete(why);
    this.problems.set(why, `${why}; skipped`);
    if (this.problems.size > MAX_PROBLEMS) {
      this.problems.delete(this.problems.keys().next().value as string);
    }
  }
}
