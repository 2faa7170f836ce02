/** Webhook subscriptions: destination URL and the documented event names. */
import { checkKeys, join, readArray, readInt, readString, type Issues } from './common';

export const WEBHOOK_SETTINGS = [
  'add_lead',
  'update_lead',
  'delete_lead',
  'restore_lead',
  'status_lead',
  'responsible_lead',
  'note_lead',
  'add_contact',
  'update_contact',
  'delete_contact',
  'restore_contact',
  'responsible_contact',
  'note_contact',
  'add_company',
  'update_company',
  'delete_company',
  'restore_company',
  'responsible_company',
  'note_company',
  'add_customer',
  'update_customer',
  'delete_customer',
  'responsible_customer',
  'note_customer',
  'add_task',
  'update_task',
  'delete_task',
  'responsible_task',
  'add_talk',
  'update_talk',
  'add_chat_template_review',
  'add_unsorted',
  'delete_unsorted',
  'add_message',
  'add_outgoing_message',
];

export interface WebhookInput {
  destination: string;
  settings: string[];
  sort?: number;
}

export function validateWebhook(
  raw: Record<string, unknown>,
  issues: Issues,
): WebhookInput | undefined {
  checkKeys(raw, ['destination', 'settings', 'sort'], '', issues);
  const destination = readString(raw, 'destination', '', issues);
  if (!('destination' in raw)) issues.blank('destination');
  else if (destination !== undefined) {
    let ok = false;
    try {
      const u = new URL(destination);
      ok = u.protocol === 'http:' || u.protocol === 'https:';
    } catch {
      ok = false;
    }
    if (!ok) issues.add('InvalidUrl', 'destination', 'This value is not a valid URL.');
  }
  const settings = readArray(raw, 'settings', '', issues);
  if (!('settings' in raw)) issues.blank('settings');
  else if (settings && settings.length === 0) issues.blank('settings');
  settings?.forEach((s, i) => {
    if (typeof s !== 'string') issues.type(join('settings', i), 'string');
    else if (!WEBHOOK_SETTINGS.includes(s)) issues.choice(join('settings', i));
  });
  const sort = readInt(raw, 'sort', '', issues);
  if (destination === undefined || !settings) return undefined;
  return {
    destination,
    settings: settings.filter((s): s is string => typeof s === 'string'),
    sort: typeof sort === 'number' ? sort : undefined,
  };
}
