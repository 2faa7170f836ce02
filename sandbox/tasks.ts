/**
 * The account's tasks (amocrm-api.md §14.4): created through `POST /api/v4/tasks`, listed with
 * filters, kept beside the store so a saved state carries them.
 */
import { nowSec } from './store';

export type TaskEntityType = 'leads' | 'contacts' | 'companies';

export interface TaskRecord {
  id: number;
  entity_id: number | null;
  entity_type: TaskEntityType | null;
  text: string;
  complete_till: number;
  task_type_id: number;
  responsible_user_id: number;
  duration: number;
  is_completed: boolean;
  created_by: number;
  updated_by: number;
  created_at: number;
  updated_at: number;
}

export interface TaskWrite {
  text: string;
  completeTill: number;
  entityId?: number;
  entityType?: TaskEntityType;
  taskTypeId?: number;
  responsibleUserId?: number;
  duration?: number;
  isCompleted?: boolean;
}

/** Task types of the account: amoCRM's two built-in ones (follow-up, meeting). */
export const TASK_TYPES = [
  { id: 1, name: 'Связаться', code: 'FOLLOW_UP' },
  { id: 2, name: 'Встреча', code: 'MEETING' },
];

export class TaskBook {
  readonly tasks = new Map<number, TaskRecord>();
  /** next task id; kept across a restart with the state file */
  nextId = 70000001;

  add(w: TaskWrite, actor: number): TaskRecord {
    const now = nowSec();
    const rec: TaskRecord = {
      id: this.nextId++,
      entity_id: w.entityId ?? null,
      entity_type: w.entityType ?? null,
      text: w.text,
      complete_till: w.completeTill,
      task_type_id: w.taskTypeId ?? 1,
      // the token's user when none is named [§14.4]
      responsible_user_id: w.responsibleUserId ?? actor,
      duration: w.duration ?? 0,
      is_completed: w.isCompleted ?? false,
      created_by: actor,
      updated_by: actor,
      created_at: now,
      updated_at: now,
    };
    this.tasks.set(rec.id, rec);
    return rec;
  }

  read(rec: TaskRecord, accountId: number, baseUrl: string): object {
    return {
      ...rec,
      group_id: 0,
      result: [],
      account_id: accountId,
      _links: { self: { href: `${baseUrl}/api/v4/tasks/${rec.id}` } },
    };
  }
}
