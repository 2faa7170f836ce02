import { ContactTime } from '../../leads/lead.enums';
import { TaskSettings } from '../mapping/task-settings';
import { addDays, atLocalHour, localParts } from './zoned-time';

/**
 * When the callback is due: the start of the guest's contact window in the account's time
 * zone — today if it is still ahead, else tomorrow. Inside the window (it has begun and not
 * ended), and for ANY_TIME, the task is due `anyTimeMinutes` from now: never in the past.
 */
export function callbackDueAt(
  contactTime: ContactTime,
  now: Date,
  zone: string,
  settings: Pick<TaskSettings, 'hours' | 'anyTimeMinutes'>,
): Date {
  const soon = new Date(now.getTime() + settings.anyTimeMinutes * 60_000);
  if (contactTime === ContactTime.ANY_TIME) return soon;
  const [from, to] = settings.hours[contactTime];
  const today = localParts(now, zone);
  const start = atLocalHour(today, from, zone);
  if (now < start) return start;
  const end = atLocalHour(today, to, zone);
  if (now < end) return soon < end ? soon : end;
  return atLocalHour(addDays(today, 1), from, zone);
}

export interface TaskTextValues {
  guestName: string;
  contactMethod: string;
  contactTime: string;
  property: string;
  number: number;
  comment: string;
}

/** Fills `{placeholder}`s; the names were checked at boot. */
export function renderTaskText(template: string, values: TaskTextValues): string {
  return template.replace(/\{(\w+)\}/g, (whole, key: string) =>
    key in values ? String(values[key as keyof TaskTextValues]) : whole,
  );
}

const METHOD_WORDS: Record<string, string> = {
  PHONE: 'phone',
  EMAIL: 'e-mail',
  WHATSAPP: 'WhatsApp',
  TELEGRAM: 'Telegram',
};

const TIME_WORDS: Record<string, string> = {
  ANY_TIME: 'any time',
  MORNING: 'in the morning',
  AFTERNOON: 'in the afternoon',
  EVENING: 'in the evening',
};

export function methodWord(method: string): string {
  return METHOD_WORDS[method] ?? method;
}

export function timeWord(time: string): string {
  return TIME_WORDS[time] ?? time;
}
