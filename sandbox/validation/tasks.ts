/**
 * `POST /api/v4/tasks` items (amocrm-api.md §14.4): `text` and `complete_till` required;
 * `entity_id` and `entity_type` together; `task_type_id` one of the account's types. Which
 * other keys amoCRM accepts, and refusing a past `complete_till`, are not documented: unknown
 * keys are refused (as elsewhere) and a past time is accepted (assumed).
 */
import { isRecord } from '../http';
import type { SandboxStore } from '../store';
import { TASK_TYPES, type TaskEntityType, type TaskWrite } from '../tasks';
import { checkKeys, readInt, readString, readUser, type Issues } from './common';

const KEYS = [
  'text',
  'complete_till',
  'entity_id',
  'entity_type',
  'task_type_id',
  'responsible_user_id',
  'duration',
  'is_completed',
  'request_id',
];
const ENTITY_TYPES: TaskEntityType[] = ['leads', 'contacts', 'companies'];

export function validateTask(
  raw: unknown,
  store: SandboxStore,
  issues: Issues,
): TaskWrite | undefined {
  if (!isRecord(raw)) {
    issues.type('', 'object');
    return undefined;
  }
  checkKeys(raw, KEYS, '', issues);
  const text = readString(raw, 'text', '', issues);
  if (!('text' in raw) || (text !== undefined && text.trim() === '')) issues.blank('text');
  const completeTill = readInt(raw, 'complete_till', '', issues, { min: 0 });
  if (!('complete_till' in raw)) issues.blank('complete_till');
  const out: Partial<TaskWrite> = {};
  const entityId = readInt(raw, 'entity_id', '', issues);
  const entityType = readString(raw, 'entity_type', '', issues);
  if (entityType !== undefined && !ENTITY_TYPES.includes(entityType as TaskEntityType)) {
    issues.choice('entity_type');
  } else if ((entityId === undefined) !== (entityType === undefined)) {
    issues.blank(entityId === undefined ? 'entity_id' : 'entity_type');
  } else if (typeof entityId === 'number' && entityType !== undefined) {
    const exists =
      entityType === 'leads'
        ? store.leads.has(entityId)
        : entityType === 'contacts' && store.contacts.has(entityId);
    if (!exists) issues.notFound('entity_id');
    out.entityId = entityId;
    out.entityType = entityType as TaskEntityType;
  }
  const type = readInt(raw, 'task_type_id', '', issues);
  if (typeof type === 'number') {
    if (!TASK_TYPES.some((t) => t.id === type)) issues.choice('task_type_id');
    else out.taskTypeId = type;
  }
  out.responsibleUserId = readUser(raw, 'responsible_user_id', '', issues, false);
  const duration = readInt(raw, 'duration', '', issues, { min: 0 });
  if (typeof duration === 'number') out.duration = duration;
  if ('is_completed' in raw) {
    if (typeof raw.is_completed !== 'boolean') issues.type('is_completed', 'bool');
    else out.isCompleted = raw.is_completed;
  }
  if (text === undefined || typeof completeTill !== 'number') return undefined;
  return { ...out, text, completeTill };
}
