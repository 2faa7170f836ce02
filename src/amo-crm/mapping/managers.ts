import { AmoUser } from '../api/amo-crm.types';
import { ResponsibleSource } from '../../leads/lead.enums';

/** What the mapping says about managers: the round-robin list and whether a contact's counts. */
export interface ManagersConfig {
  roundRobin?: number[];
  contactManager?: boolean;
}

export interface ManagerRef {
  id: number;
  name: string;
}

/** The managers part of the effective mapping, checked against the account's users. */
export interface EffectiveManagers {
  /** the configured list, only its active users, in the configured order */
  roundRobin: ManagerRef[];
  contactManager: boolean;
  /** every active user of the account, for checking agents and contacts' managers */
  active: ManagerRef[];
}

/** Keeps the active users of the configured list; each other id is reported, never used. */
export function resolveManagers(
  config: ManagersConfig | undefined,
  users: AmoUser[],
): { managers: EffectiveManagers; problems: string[] } {
  const problems: string[] = [];
  const active = users
    .filter((u) => u.rights?.is_active !== false)
    .map((u) => ({ id: u.id, name: u.name }));
  const byId = new Map(users.map((u) => [u.id, u]));
  const roundRobin: ManagerRef[] = [];
  for (const id of new Set(config?.roundRobin ?? [])) {
    const user = byId.get(id);
    if (!user) problems.push(`managers.roundRobin: user ${id} does not exist in amoCRM; skipped`);
    else if (user.rights?.is_active === false)
      problems.push(
        `managers.roundRobin: user ${id} (${user.name}) is not active in amoCRM; skipped`,
      );
    else roundRobin.push({ id, name: user.name });
  }
  return {
    managers: { roundRobin, contactManager: config?.contactManager ?? true, active },
    problems,
  };
}

export interface ManagerCandidates {
  /** the property's agent, if it has one */
  propertyAgent: number | null;
  /** the manager of the amoCRM contact the lead will be linked to, if known */
  contactManager: number | null;
}

/** A decision, or the need for a round-robin turn (taken from the shared cursor). */
export type ManagerDecision =
  | {
      source: ResponsibleSource.PROPERTY | ResponsibleSource.CONTACT;
      userId: number;
      skipped: string[];
    }
  | { source: ResponsibleSource.ROUND_ROBIN; userId: null; skipped: string[] }
  | { source: ResponsibleSource.DEFAULT; userId: null; skipped: string[] };

/**
 * The order: the property's agent, the contact's manager, a round-robin turn, amoCRM's default
 * (the integration's user). A candidate that is not an active user is skipped and named.
 */
export function decideManager(c: ManagerCandidates, managers: EffectiveManagers): ManagerDecision {
  const active = new Set(managers.active.map((m) => m.id));
  const skipped: string[] = [];
  if (c.propertyAgent !== null) {
    if (active.has(c.propertyAgent))
      return { source: ResponsibleSource.PROPERTY, userId: c.propertyAgent, skipped };
    skipped.push(`property agent ${c.propertyAgent} is not an active amoCRM user`);
  }
  if (managers.contactManager && c.contactManager !== null) {
    if (active.has(c.contactManager))
      return { source: ResponsibleSource.CONTACT, userId: c.contactManager, skipped };
    skipped.push(`contact's manager ${c.contactManager} is not an active amoCRM user`);
  }
  if (managers.roundRobin.length > 0)
    return { source: ResponsibleSource.ROUND_ROBIN, userId: null, skipped };
  return { source: ResponsibleSource.DEFAULT, userId: null, skipped };
}

/** The manager of round-robin turn `turn` (0-based, from the shared cursor). */
export function managerForTurn(turn: number, managers: EffectiveManagers): number {
  const list = managers.roundRobin;
  return list[((turn % list.length) + list.length) % list.length].id;
}
