import { ContactTime } from '../../leads/lead.enums';

/** A contact window's hours in the account's time zone: from (inclusive) to (exclusive). */
export type WindowHours = [number, number];

export type WindowName = Exclude<ContactTime, ContactTime.ANY_TIME>;

export interface TasksConfig {
  enabled?: boolean;
  typeId?: number;
  text?: string;
  repeatText?: string;
  hours?: Partial<Record<WindowName, WindowHours>>;
  anyTimeMinutes?: number;
}

/** The callback-task settings with every default filled in. */
export interface TaskSettings {
  enabled: boolean;
  typeId: number;
  text: string;
  repeatText: string;
  hours: Record<WindowName, WindowHours>;
  anyTimeMinutes: number;
}

/** The words a task text may contain in braces, e.g. `{guestName}`. */
export const TASK_PLACEHOLDERS = [
  'guestName',
  'contactMethod',
  'contactTime',
  'property',
  'number',
  'comment',
] as const;

export const DEFAULT_TASKS: TaskSettings = {
  enabled: true,
  typeId: 1,
  text: 'Call back {guestName} by {contactMethod} about {property} (lead #{number}, {contactTime})',
  repeatText:
    'Repeat request: call back {guestName} by {contactMethod} about {property} (lead #{number})',
  hours: { MORNING: [9, 12], AFTERNOON: [12, 17], EVENING: [17, 21] },
  anyTimeMinutes: 15,
};

/** Placeholders in a text that are not ours (a typo would otherwise reach every task). */
export function unknownPlaceholders(text: string): string[] {
  const known: readonly string[] = TASK_PLACEHOLDERS;
  return [...text.matchAll(/\{([^{}]*)\}/g)].map((m) => m[1]).filter((p) => !known.includes(p));
}

export function taskSettings(config: TasksConfig | undefined): TaskSettings {
  return {
    enabled: config?.enabled ?? DEFAULT_TASKS.enabled,
    typeId: config?.typeId ?? DEFAULT_TASKS.typeId,
    text: config?.text ?? DEFAULT_TASKS.text,
    repeatText: config?.repeatText ?? DEFAULT_TASKS.repeatText,
    hours: { ...DEFAULT_TASKS.hours, ...config?.hours },
    anyTimeMinutes: config?.anyTimeMinutes ?? DEFAULT_TASKS.anyTimeMinutes,
  };
}
