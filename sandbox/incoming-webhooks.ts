/**
 * `unsorted[add]` and `unsorted[delete]` items. [K-wh] names the events and, for delete, the
 * `action` (accept | decline) with `accept_result` / `decline_result`; the item fields below
 * are assumed from the API's entry shape.
 */
import type { UnsortedChange } from './incoming';
import type { ItemPair, WebhookEvent } from './webhook-events';

export function unsortedEvents(change: UnsortedChange): WebhookEvent[] {
  const e = change.entry;
  const base: ItemPair[] = [
    [['uid'], e.uid],
    [['category'], e.category],
    [['source_uid'], e.source_uid],
    [['source_name'], e.source_name],
    [['pipeline_id'], String(e.pipeline_id)],
    [['created_at'], String(e.created_at)],
    [['account_id'], String(e.account_id)],
  ];
  if (change.kind === 'unsorted_added') {
    const item: ItemPair[] = [...base, [['data', 'leads', '0', 'id'], String(e.leadId)]];
    if (e.contactId !== null) item.push([['data', 'contacts', '0', 'id'], String(e.contactId)]);
    return [{ setting: 'add_unsorted', entity: 'unsorted', action: 'add', item }];
  }
  const result = change.action === 'accept' ? 'accept_result' : 'decline_result';
  const item: ItemPair[] = [
    ...base,
    [['action'], change.action],
    [[result, 'leads', '0'], String(e.leadId)],
  ];
  if (e.contactId !== null) item.push([[result, 'contacts', '0'], String(e.contactId)]);
  if (change.statusId !== undefined) item.push([[result, 'status_id'], String(change.statusId)]);
  return [{ setting: 'delete_unsorted', entity: 'unsorted', action: 'delete', item }];
}
