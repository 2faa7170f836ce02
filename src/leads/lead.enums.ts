export enum LeadStatus {
  NEW = 'NEW',
  IN_PROGRESS = 'IN_PROGRESS',
  VIEWING_SCHEDULED = 'VIEWING_SCHEDULED',
  NEGOTIATION = 'NEGOTIATION',
  WON = 'WON',
  LOST = 'LOST',
}

export enum ContactMethod {
  PHONE = 'PHONE',
  EMAIL = 'EMAIL',
  WHATSAPP = 'WHATSAPP',
  TELEGRAM = 'TELEGRAM',
}

export enum ContactTime {
  ANY_TIME = 'ANY_TIME',
  MORNING = 'MORNING',
  AFTERNOON = 'AFTERNOON',
  EVENING = 'EVENING',
}

export enum LeadSource {
  SITE = 'SITE',
  AMO_CRM = 'AMO_CRM',
}

/** Where the lead stands with amoCRM; NOT_CONFIGURED when the integration is off. */
export enum LeadSyncState {
  NOT_CONFIGURED = 'NOT_CONFIGURED',
  PENDING = 'PENDING',
  SYNCED = 'SYNCED',
  FAILED = 'FAILED',
  DEAD = 'DEAD',
}

/** A lead sent to amoCRM's incoming leads: waiting for a manager, accepted, or declined. */
export enum AmoIncomingState {
  WAITING = 'WAITING',
  ACCEPTED = 'ACCEPTED',
  DECLINED = 'DECLINED',
}

/** Who decided a lead's responsible manager in amoCRM (docs/MANAGERS.md). */
export enum ResponsibleSource {
  PROPERTY = 'PROPERTY',
  CONTACT = 'CONTACT',
  ROUND_ROBIN = 'ROUND_ROBIN',
  DEFAULT = 'DEFAULT',
}
