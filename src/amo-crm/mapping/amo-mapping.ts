import { AmoAccountSettings, AmoCustomField, AmoPipeline, AmoUser } from '../api/amo-crm.types';
import { ContactMethod, ContactTime, LeadSource, LeadStatus } from '../../leads/lead.enums';
import { TrackingFieldsMapping, resolveTrackingFields } from './tracking-fields';
import { EffectiveManagers, ManagersConfig, resolveManagers } from './managers';
import { TaskSettings, TasksConfig, taskSettings } from './task-settings';

export interface StageRef {
  pipelineId: number;
  statusId: number;
}

export interface SelectFieldMapping<K extends string> {
  id: number;
  enums: Partial<Record<K, number>>;
}

/** How our lead maps onto amoCRM: statuses to stages, attributes to lead custom fields. */
export interface AmoMappingConfig {
  statuses?: Partial<Record<LeadStatus, StageRef>>;
  fields?: {
    ourLeadId?: number;
    property?: number;
    contactMethod?: SelectFieldMapping<ContactMethod>;
    contactTime?: SelectFieldMapping<ContactTime>;
    source?: SelectFieldMapping<LeadSource>;
  };
  tags?: string[];
  managers?: ManagersConfig;
  tasks?: TasksConfig;
}

export interface EffectiveMapping {
  statuses: Partial<Record<LeadStatus, StageRef & { pipelineName: string; statusName: string }>>;
  fields: NonNullable<AmoMappingConfig['fields']>;
  /** amoCRM's statistics fields found by code; missing ones are listed, never an error. */
  tracking?: TrackingFieldsMapping;
  /** Every pipeline's incoming stage (type 1): a lead there waits in amoCRM's incoming leads. */
  incomingStages?: number[];
  tags: string[];
  managers: EffectiveManagers;
  tasks: TaskSettings;
  /** the account's time zone (IANA), in which contact windows are read */
  timezone: string;
  problems: string[];
}

/** The account's users and settings the managers and tasks parts are checked against. */
export interface AccountFacts {
  users: AmoUser[];
  settings: AmoAccountSettings | null;
}

const NO_FACTS: AccountFacts = { users: [], settings: null };

/** The managers, tasks and zone parts when nothing is configured and nothing is known. */
export function noAccountParts(): Pick<EffectiveMapping, 'managers' | 'tasks' | 'timezone'> {
  return {
    managers: { roundRobin: [], contactManager: true, active: [] },
    tasks: taskSettings(undefined),
    timezone: 'UTC',
  };
}

const WON = 142;
const LOST = 143;
const ORDERED: LeadStatus[] = [
  LeadStatus.NEW,
  LeadStatus.IN_PROGRESS,
  LeadStatus.VIEWING_SCHEDULED,
  LeadStatus.NEGOTIATION,
];

/**
 * Configured mapping checked against the live pipelines and fields. Defaults: NEW and the
 * working statuses → the main pipeline's regular stages in order, WON → 142, LOST → 143.
 * Anything that does not exist in amoCRM is left out and reported as a problem.
 */
export function resolveMapping(
  config: AmoMappingConfig,
  pipelines: AmoPipeline[],
  fields: AmoCustomField[],
  account: AccountFacts = NO_FACTS,
  isZone: (name: string) => boolean = () => true,
): EffectiveMapping {
  const problems: string[] = [];
  const statuses: EffectiveMapping['statuses'] = {};
  const main = pipelines.find((p) => p.is_main) ?? pipelines[0];
  const stageName = (pipelineId: number, statusId: number): [string, string] | null => {
    const p = pipelines.find((x) => x.id === pipelineId);
    const s = p?._embedded?.statuses?.find((x) => x.id === statusId);
    return p && s ? [p.name, s.name] : null;
  };
  if (main) {
    const regular = (main._embedded?.statuses ?? [])
      .filter((s) => s.type !== 1 && s.id !== WON && s.id !== LOST)
      .sort((a, b) => (a.sort ?? 0) - (b.sort ?? 0));
    ORDERED.forEach((status, i) => {
      const stage = regular[Math.min(i, regular.length - 1)];
      if (stage)
        statuses[status] = {
          pipelineId: main.id,
          statusId: stage.id,
          pipelineName: main.name,
          statusName: stage.name,
        };
    });
    for (const [status, id] of [
      [LeadStatus.WON, WON],
      [LeadStatus.LOST, LOST],
    ] as const) {
      const names = stageName(main.id, id);
      statuses[status] = {
        pipelineId: main.id,
        statusId: id,
        pipelineName: names?.[0] ?? main.name,
        statusName: names?.[1] ?? String(id),
      };
    }
  } else {
    problems.push('amoCRM has no pipelines');
  }
  for (const [status, ref] of Object.entries(config.statuses ?? {}) as [LeadStatus, StageRef][]) {
    const names = stageName(ref.pipelineId, ref.statusId);
    if (!names) {
      problems.push(
        `status ${status}: stage ${ref.statusId} of pipeline ${ref.pipelineId} does not exist in amoCRM`,
      );
      delete statuses[status];
      continue;
    }
    statuses[status] = { ...ref, pipelineName: names[0], statusName: names[1] };
  }

  const out: EffectiveMapping['fields'] = {};
  const byId = new Map(fields.map((f) => [f.id, f]));
  const plain = (key: 'ourLeadId' | 'property') => {
    const id = config.fields?.[key];
    if (id === undefined) return;
    if (!byId.has(id)) problems.push(`field ${key}: custom field ${id} does not exist in amoCRM`);
    else out[key] = id;
  };
  plain('ourLeadId');
  plain('property');
  const select = <K extends string>(
    key: 'contactMethod' | 'contactTime' | 'source',
    m: SelectFieldMapping<K> | undefined,
  ) => {
    if (!m) return;
    const field = byId.get(m.id);
    if (!field) {
      problems.push(`field ${key}: custom field ${m.id} does not exist in amoCRM`);
      return;
    }
    const known = new Set((field.enums ?? []).map((e) => e.id));
    const enums: Partial<Record<K, number>> = {};
    for (const [k, v] of Object.entries(m.enums) as [K, number][]) {
      if (known.has(v)) enums[k] = v;
      else problems.push(`field ${key}: option ${v} for ${k} does not exist in field ${m.id}`);
    }
    (out as Record<string, unknown>)[key] = { id: m.id, enums };
  };
  select('contactMethod', config.fields?.contactMethod);
  select('contactTime', config.fields?.contactTime);
  select('source', config.fields?.source);
  const tracking = resolveTrackingFields(fields);
  const incomingStages = pipelines.flatMap((p) =>
    (p._embedded?.statuses ?? []).filter((s) => s.type === 1).map((s) => s.id),
  );
  const managers = resolveManagers(config.managers, account.users);
  problems.push(...managers.problems);
  const tasks = taskSettings(config.tasks);
  const types = account.settings?.taskTypes ?? [];
  if (types.length && !types.some((t) => t.id === tasks.typeId)) {
    problems.push(`tasks.typeId: task type ${tasks.typeId} does not exist in amoCRM; using 1`);
    tasks.typeId = 1;
  }
  let timezone = account.settings?.timezone ?? 'UTC';
  if (!isZone(timezone)) {
    problems.push(`amoCRM time zone ${timezone} is unknown here; contact windows read in UTC`);
    timezone = 'UTC';
  }
  return {
    statuses,
    fields: out,
    tracking,
    incomingStages,
    tags: config.tags ?? ['site'],
    managers: managers.managers,
    tasks,
    timezone,
    problems,
  };
}

/** Local status for an amoCRM stage, or null when that stage is not mapped. */
export function statusForStage(
  mapping: EffectiveMapping,
  pipelineId: number,
  statusId: number,
): LeadStatus | null {
  for (const [status, ref] of Object.entries(mapping.statuses) as [LeadStatus, StageRef][]) {
    if (
      ref.statusId === statusId &&
      (ref.pipelineId === pipelineId || statusId === WON || statusId === LOST)
    )
      return status;
  }
  return null;
}
