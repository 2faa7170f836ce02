/**
 * The account every sandbox starts with: users, pipelines and custom fields with stable ids, so
 * that tests and mapping configuration can name them without asking the API first.
 */

export type PhoneEnumCode = 'WORK' | 'WORKDD' | 'MOB' | 'FAX' | 'HOME' | 'OTHER';
export type EmailEnumCode = 'WORK' | 'PRIV' | 'OTHER';

export interface SandboxFixtures {
  users: { admin: number; manager: number; agent: number; manager3: number; inactive: number };
  mainPipelineId: number;
  unsortedStatusId: number;
  stages: {
    unsorted: number;
    firstContact: number;
    negotiation: number;
    viewingScheduled: number;
    decision: number;
    won: number;
    lost: number;
  };
  secondPipelineId: number;
  secondPipelineUnsortedStatusId: number;
  secondStages: {
    unsorted: number;
    newRequest: number;
    inProgress: number;
    won: number;
    lost: number;
  };
  leadFields: {
    ourLeadId: number;
    contactMethod: {
      id: number;
      enums: Record<'PHONE' | 'EMAIL' | 'WHATSAPP' | 'TELEGRAM', number>;
    };
    contactTime: {
      id: number;
      enums: Record<'ANY_TIME' | 'MORNING' | 'AFTERNOON' | 'EVENING', number>;
    };
    property: number;
    source: { id: number; enums: Record<'SITE' | 'AMO_CRM', number> };
    area: number;
    viewingDate: number;
    listingUrl: number;
    managerNotes: number;
  };
  contactFields: {
    phone: { id: number; code: 'PHONE'; enums: Record<PhoneEnumCode, number> };
    email: { id: number; code: 'EMAIL'; enums: Record<EmailEnumCode, number> };
  };
}

export const WON_STATUS_ID = 142;
export const LOST_STATUS_ID = 143;

export const SANDBOX_FIXTURES: SandboxFixtures = {
  users: { admin: 9000001, manager: 9000002, agent: 9000003, manager3: 9000004, inactive: 9000005 },
  mainPipelineId: 7000001,
  unsortedStatusId: 7100001,
  stages: {
    unsorted: 7100001,
    firstContact: 7100002,
    negotiation: 7100003,
    viewingScheduled: 7100004,
    decision: 7100005,
    won: WON_STATUS_ID,
    lost: LOST_STATUS_ID,
  },
  secondPipelineId: 7000002,
  secondPipelineUnsortedStatusId: 7200001,
  secondStages: {
    unsorted: 7200001,
    newRequest: 7200002,
    inProgress: 7200003,
    won: WON_STATUS_ID,
    lost: LOST_STATUS_ID,
  },
  leadFields: {
    ourLeadId: 8000001,
    contactMethod: {
      id: 8000002,
      enums: { PHONE: 8100001, EMAIL: 8100002, WHATSAPP: 8100003, TELEGRAM: 8100004 },
    },
    contactTime: {
      id: 8000003,
      enums: { ANY_TIME: 8100011, MORNING: 8100012, AFTERNOON: 8100013, EVENING: 8100014 },
    },
    property: 8000004,
    source: { id: 8000005, enums: { SITE: 8100021, AMO_CRM: 8100022 } },
    area: 8000006,
    viewingDate: 8000007,
    listingUrl: 8000008,
    managerNotes: 8000009,
  },
  contactFields: {
    phone: {
      id: 8000101,
      code: 'PHONE',
      enums: {
        WORK: 8200001,
        WORKDD: 8200002,
        MOB: 8200003,
        FAX: 8200004,
        HOME: 8200005,
        OTHER: 8200006,
      },
    },
    email: { id: 8000102, code: 'EMAIL', enums: { WORK: 8200011, PRIV: 8200012, OTHER: 8200013 } },
  },
};

export interface StatusDef {
  id: number;
  name: string;
  sort: number;
  is_editable: boolean;
  color: string;
  /** 1 = the pipeline's incoming ("unsorted") stage, 0 = a regular stage. */
  type: 0 | 1;
}

export interface PipelineDef {
  id: number;
  name: string;
  sort: number;
  is_main: boolean;
  is_unsorted_on: boolean;
  is_archive: boolean;
  statuses: StatusDef[];
}

export type FieldType =
  'text' | 'numeric' | 'select' | 'multitext' | 'date' | 'url' | 'textarea' | 'tracking_data';

export interface EnumDef {
  id: number;
  value: string;
  sort: number;
}

export interface FieldDef {
  id: number;
  name: string;
  code: string | null;
  type: FieldType;
  sort: number;
  entity_type: 'leads' | 'contacts';
  is_predefined: boolean;
  enums: EnumDef[] | null;
  /** Predefined statistics fields (`tracking_data`) are API-only and grouped under "statistic". */
  is_api_only?: boolean;
  group_id?: string | null;
}

export interface UserDef {
  id: number;
  name: string;
  email: string;
  /** `rights.is_active` [§14.4]; an inactive (dismissed) user keeps its id. */
  active: boolean;
  admin: boolean;
}

const f = SANDBOX_FIXTURES;

function closedStages(): StatusDef[] {
  return [
    {
      id: WON_STATUS_ID,
      name: 'Успешно реализовано',
      sort: 10000,
      is_editable: false,
      color: '#CCFF66',
      type: 0,
    },
    {
      id: LOST_STATUS_ID,
      name: 'Закрыто и не реализовано',
      sort: 11000,
      is_editable: false,
      color: '#D5D8DB',
      type: 0,
    },
  ];
}

export const USERS: UserDef[] = [
  {
    id: f.users.admin,
    name: 'Администратор',
    email: 'admin@sandbox.example',
    active: true,
    admin: true,
  },
  {
    id: f.users.manager,
    name: 'Менеджер',
    email: 'manager@sandbox.example',
    active: true,
    admin: false,
  },
  { id: f.users.agent, name: 'Агент', email: 'agent@sandbox.example', active: true, admin: false },
  {
    id: f.users.manager3,
    name: 'Менеджер 3',
    email: 'manager3@sandbox.example',
    active: true,
    admin: false,
  },
  {
    id: f.users.inactive,
    name: 'Уволенный',
    email: 'former@sandbox.example',
    active: false,
    admin: false,
  },
];

/** Users a lead, contact, note or task may be given to: the active ones (inactive: assumed refused). */
export function isAssignableUser(id: number): boolean {
  return USERS.some((u) => u.id === id && u.active);
}

export const PIPELINES: PipelineDef[] = [
  {
    id: f.mainPipelineId,
    name: 'Продажи',
    sort: 1,
    is_main: true,
    is_unsorted_on: true,
    is_archive: false,
    statuses: [
      {
        id: f.stages.unsorted,
        name: 'Неразобранное',
        sort: 10,
        is_editable: false,
        color: '#c1c1c1',
        type: 1,
      },
      {
        id: f.stages.firstContact,
        name: 'Первичный контакт',
        sort: 20,
        is_editable: true,
        color: '#99ccff',
        type: 0,
      },
      {
        id: f.stages.negotiation,
        name: 'Переговоры',
        sort: 30,
        is_editable: true,
        color: '#ffff99',
        type: 0,
      },
      {
        id: f.stages.viewingScheduled,
        name: 'Показ назначен',
        sort: 40,
        is_editable: true,
        color: '#ffcc66',
        type: 0,
      },
      {
        id: f.stages.decision,
        name: 'Принимают решение',
        sort: 50,
        is_editable: true,
        color: '#ff9966',
        type: 0,
      },
      ...closedStages(),
    ],
  },
  {
    id: f.secondPipelineId,
    name: 'Аренда',
    sort: 2,
    is_main: false,
    is_unsorted_on: true,
    is_archive: false,
    statuses: [
      {
        id: f.secondStages.unsorted,
        name: 'Неразобранное',
        sort: 10,
        is_editable: false,
        color: '#c1c1c1',
        type: 1,
      },
      {
        id: f.secondStages.newRequest,
        name: 'Новая заявка',
        sort: 20,
        is_editable: true,
        color: '#99ccff',
        type: 0,
      },
      {
        id: f.secondStages.inProgress,
        name: 'В работе',
        sort: 30,
        is_editable: true,
        color: '#ffcc66',
        type: 0,
      },
      ...closedStages(),
    ],
  },
];

function enumsOf(values: Record<string, number>, labels: Record<string, string>): EnumDef[] {
  return Object.entries(values).map(([key, id], i) => ({
    id,
    value: labels[key] ?? key,
    sort: (i + 1) * 10,
  }));
}

const lf = f.leadFields;
const cf = f.contactFields;

export const LEAD_FIELDS: FieldDef[] = [
  {
    id: lf.ourLeadId,
    name: 'ID заявки на сайте',
    code: null,
    type: 'text',
    sort: 500,
    entity_type: 'leads',
    is_predefined: false,
    enums: null,
  },
  {
    id: lf.contactMethod.id,
    name: 'Способ связи',
    code: null,
    type: 'select',
    sort: 510,
    entity_type: 'leads',
    is_predefined: false,
    enums: enumsOf(lf.contactMethod.enums, {
      PHONE: 'Телефон',
      EMAIL: 'E-mail',
      WHATSAPP: 'WhatsApp',
      TELEGRAM: 'Telegram',
    }),
  },
  {
    id: lf.contactTime.id,
    name: 'Удобное время',
    code: null,
    type: 'select',
    sort: 520,
    entity_type: 'leads',
    is_predefined: false,
    enums: enumsOf(lf.contactTime.enums, {
      ANY_TIME: 'В любое время',
      MORNING: 'Утром',
      AFTERNOON: 'Днём',
      EVENING: 'Вечером',
    }),
  },
  {
    id: lf.property,
    name: 'Объект',
    code: null,
    type: 'text',
    sort: 530,
    entity_type: 'leads',
    is_predefined: false,
    enums: null,
  },
  {
    id: lf.source.id,
    name: 'Источник',
    code: null,
    type: 'select',
    sort: 540,
    entity_type: 'leads',
    is_predefined: false,
    enums: enumsOf(lf.source.enums, { SITE: 'Сайт', AMO_CRM: 'amoCRM' }),
  },
  {
    id: lf.area,
    name: 'Площадь, м²',
    code: null,
    type: 'numeric',
    sort: 550,
    entity_type: 'leads',
    is_predefined: false,
    enums: null,
  },
  ...(
    [
      [lf.viewingDate, 'Дата показа', 'date', 560],
      [lf.listingUrl, 'Ссылка на объявление', 'url', 570],
      [lf.managerNotes, 'Заметки менеджера', 'textarea', 580],
    ] as const
  ).map(([id, name, type, sort]): FieldDef => ({
    id,
    name,
    code: null,
    type,
    sort,
    entity_type: 'leads',
    is_predefined: false,
    enums: null,
  })),
];

/**
 * amoCRM's predefined statistics fields (§14.2): type `tracking_data`, API-only, group
 * "statistic", addressed by `field_code`. UTM_*, _YM_UID, YCLID are seen in real accounts; the
 * GCLID/FBCLID codes are **assumed** upper-case like the others.
 */
export const TRACKING_FIELD_CODES = [
  'UTM_SOURCE',
  'UTM_MEDIUM',
  'UTM_CAMPAIGN',
  'UTM_CONTENT',
  'UTM_TERM',
  'UTM_REFERRER',
  'GCLID',
  'YCLID',
  'FBCLID',
  '_YM_UID',
] as const;

export const TRACKING_FIELDS: FieldDef[] = TRACKING_FIELD_CODES.map((code, i) => ({
  id: 8000201 + i,
  name: code.toLowerCase().replace(/^_/, ''),
  code,
  type: 'tracking_data',
  sort: 600 + i * 10,
  entity_type: 'leads',
  is_predefined: true,
  is_api_only: true,
  group_id: 'statistic',
  enums: null,
}));

LEAD_FIELDS.push(...TRACKING_FIELDS);

/** The account's lead fields less the tracking fields a test removed (`absentTrackingFields`). */
export function accountLeadFields(absent: readonly string[] = []): FieldDef[] {
  if (absent.length === 0) return LEAD_FIELDS;
  return LEAD_FIELDS.filter((f) => f.type !== 'tracking_data' || !absent.includes(f.code ?? ''));
}

/** PHONE/EMAIL enum values are the codes themselves, as in amoCRM. */
export const CONTACT_FIELDS: FieldDef[] = [
  {
    id: cf.phone.id,
    name: 'Телефон',
    code: 'PHONE',
    type: 'multitext',
    sort: 4,
    entity_type: 'contacts',
    is_predefined: true,
    enums: enumsOf(cf.phone.enums, {}),
  },
  {
    id: cf.email.id,
    name: 'Email',
    code: 'EMAIL',
    type: 'multitext',
    sort: 6,
    entity_type: 'contacts',
    is_predefined: true,
    enums: enumsOf(cf.email.enums, {}),
  },
];

export function findPipeline(id: number): PipelineDef | undefined {
  return PIPELINES.find((p) => p.id === id);
}

export function mainPipeline(): PipelineDef {
  const main = PIPELINES.find((p) => p.is_main);
  if (!main) throw new Error('fixtures define no main pipeline');
  return main;
}

/** The first stage a lead lands in when a pipeline is named without a status. */
export function firstRegularStatus(pipeline: PipelineDef): StatusDef {
  const first = pipeline.statuses.find((s) => s.type === 0);
  if (!first) throw new Error(`pipeline ${pipeline.id} has no regular stage`);
  return first;
}

export function statusName(pipelineId: number, statusId: number): string {
  return (
    findPipeline(pipelineId)?.statuses.find((s) => s.id === statusId)?.name ?? String(statusId)
  );
}
