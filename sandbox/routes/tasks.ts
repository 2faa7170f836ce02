/** `GET /tasks` with amoCRM's filters, `POST /tasks` (amocrm-api.md §14.4). */
import { paramChild, paramList, paramString, type Reply } from '../http';
import { validateTask } from '../validation/tasks';
import type { TaskWrite } from '../tasks';
import {
  href,
  orderBy,
  page,
  writeBatch,
  type ApiContext,
  type ApiRequest,
  type Register,
} from './common';

export function registerTaskRoutes(r: Register, ctx: ApiContext): void {
  r('GET', '/tasks', (q) => listTasks(ctx, q));
  r('POST', '/tasks', (q) => addTasks(ctx, q));
}

function listTasks(ctx: ApiContext, req: ApiRequest): Reply {
  const filter = req.params.filter;
  const entityType = paramString(paramChild(filter, 'entity_type'));
  const entityIds = paramList(paramChild(filter, 'entity_id')).map(Number);
  const responsible = paramList(paramChild(filter, 'responsible_user_id')).map(Number);
  const completed = paramString(paramChild(filter, 'is_completed'));
  const tasks = [...ctx.tasks.tasks.values()].filter(
    (t) =>
      (entityType === undefined || t.entity_type === entityType) &&
      (entityIds.length === 0 || (t.entity_id !== null && entityIds.includes(t.entity_id))) &&
      (responsible.length === 0 || responsible.includes(t.responsible_user_id)) &&
      (completed === undefined || t.is_completed === (completed === '1' || completed === 'true')),
  );
  return page(
    ctx,
    req,
    'tasks',
    orderBy(tasks, req.params).map((t) => ctx.tasks.read(t, ctx.accountId, ctx.baseUrl)),
  );
}

function addTasks(ctx: ApiContext, req: ApiRequest): Reply {
  return writeBatch(ctx, req, {
    key: 'tasks',
    selfPath: '/api/v4/tasks',
    validate: (item, issues) => validateTask(item, ctx.store, issues),
    apply: (value, requestId) => {
      const task = ctx.tasks.add(value as TaskWrite, req.userId);
      return {
        id: task.id,
        request_id: requestId,
        _links: { self: href(ctx, `/api/v4/tasks/${task.id}`) },
      };
    },
  });
}
