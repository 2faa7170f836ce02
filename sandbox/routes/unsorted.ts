/** Incoming leads: create form entries, list the waiting ones, accept or decline one. */
import type { IncomingDesk } from '../incoming';
import type { ApiContext, Register } from './common';

export function registerUnsortedRoutes(r: Register, ctx: ApiContext, desk: IncomingDesk): void {
  r('GET', '/leads/unsorted', (q) =>
    desk.listReply(q.params, `${ctx.baseUrl}${q.url.pathname}${q.url.search}`),
  );
  r('POST', '/leads/unsorted/forms', (q) => desk.addForms(q.body, q.userId));
  // §9 names POST for both; §14.1 quotes DELETE for decline: both are taken (assumed).
  r('POST', '/leads/unsorted/([0-9a-f]+)/accept', (q, m) => desk.apiAction(m[1], 'accept', q.body));
  r('POST', '/leads/unsorted/([0-9a-f]+)/decline', (q, m) =>
    desk.apiAction(m[1], 'decline', q.body),
  );
  r('DELETE', '/leads/unsorted/([0-9a-f]+)/decline', (q, m) =>
    desk.apiAction(m[1], 'decline', q.body),
  );
}
