/**
 * What every `/api/v4` resource shares: the request and context types, HAL links, paging,
 * list filters and ordering, and the one batch add/patch flow (validate all, then apply all).
 */
import {
  halReply,
  noContentReply,
  paramChild,
  paramString,
  problemReply,
  type ParamNode,
  type ParamTree,
  type Reply,
} from '../http';
import type { RealismSettings } from '../settings';
import type { Change, SandboxStore } from '../store';
import {
  Issues,
  parseBatch,
  requestIdOf,
  validationReply,
  type ItemErrors,
} from '../validation/common';
import type { TaskBook } from '../tasks';
import type { WebhookSender } from '../webhooks';

export const MAX_PAGE_LIMIT = 250;
export const MAX_BATCH = 250;
export const MAX_COMPLEX = 50;
const DEFAULT_PAGE_LIMIT = 50;

export interface ApiRequest {
  method: string;
  url: URL;
  params: ParamTree;
  body: string;
  userId: number;
}

export interface ApiContext {
  store: SandboxStore;
  tasks: TaskBook;
  webhooks: WebhookSender;
  baseUrl: string;
  accountId: number;
  subdomain: string;
  settings: Pick<RealismSettings, 'duplicateControl' | 'absentTrackingFields' | 'timezone'>;
  /** Is this lead held by a waiting incoming entry (notes and stage changes refused)? */
  isIncoming?: (leadId: number) => boolean;
  emit(changes: Change[]): void;
}

export type Handler = (req: ApiRequest, match: RegExpExecArray) => Reply;
export type Register = (method: string, path: string, handler: Handler) => void;

export function idParam(match: RegExpExecArray, i = 1): number {
  return Number(match[i]);
}

export function href(ctx: ApiContext, path: string): { href: string } {
  return { href: `${ctx.baseUrl}${path}` };
}

export function selfLink(ctx: ApiContext, req: ApiRequest): { self: { href: string } } {
  return { self: { href: `${ctx.baseUrl}${req.url.pathname}${req.url.search}` } };
}

interface Paging {
  page: number;
  limit: number;
}

function readPaging(params: ParamTree): Paging | Reply {
  const rawLimit = paramString(params.limit);
  const rawPage = paramString(params.page);
  const limit = rawLimit === undefined ? DEFAULT_PAGE_LIMIT : Number(rawLimit);
  const page = rawPage === undefined ? 1 : Number(rawPage);
  if (!Number.isInteger(limit) || limit < 1) return problemReply(400, 'Invalid limit');
  if (limit > MAX_PAGE_LIMIT) return problemReply(422, `Limit ${MAX_PAGE_LIMIT} per page`);
  if (!Number.isInteger(page) || page < 1) return problemReply(400, 'Invalid page');
  return { page, limit };
}

/** The page number asked for, or the reply refusing a bad page/limit. */
export function pageNumber(params: ParamTree): number | Reply {
  const paging = readPaging(params);
  return 'status' in paging ? paging : paging.page;
}

/** One page of a HAL collection; an empty page is 204 with no body. */
export function page<T>(ctx: ApiContext, req: ApiRequest, key: string, items: T[]): Reply {
  const paging = readPaging(req.params);
  if ('status' in paging) return paging;
  const { page: n, limit } = paging;
  const slice = items.slice((n - 1) * limit, n * limit);
  if (slice.length === 0) return noContentReply();
  const linkTo = (to: number): { href: string } => {
    const q = new URLSearchParams(req.url.searchParams);
    q.set('page', String(to));
    q.set('limit', String(limit));
    return href(ctx, `${req.url.pathname}?${q.toString()}`);
  };
  const links: Record<string, { href: string }> = { ...selfLink(ctx, req) };
  if (items.length > n * limit) links.next = linkTo(n + 1);
  if (n > 1) {
    links.first = linkTo(1);
    links.prev = linkTo(n - 1);
  }
  return halReply({ _page: n, _links: links, _embedded: { [key]: slice } });
}

export function rangeFilter(node: ParamNode | undefined): { from?: number; to?: number } {
  const from = paramString(paramChild(node, 'from'));
  const to = paramString(paramChild(node, 'to'));
  return {
    from: from !== undefined && from !== '' ? Number(from) : undefined,
    to: to !== undefined && to !== '' ? Number(to) : undefined,
  };
}

export function inRange(value: number, range: { from?: number; to?: number }): boolean {
  if (range.from !== undefined && !(value >= range.from)) return false;
  if (range.to !== undefined && !(value <= range.to)) return false;
  return true;
}

export function orderBy<T extends { id: number; created_at: number; updated_at: number }>(
  items: T[],
  params: ParamTree,
): T[] {
  const order = params.order;
  const sorted = [...items].sort((a, b) => a.id - b.id);
  if (order === undefined || typeof order === 'string') return sorted;
  for (const key of ['updated_at', 'created_at', 'id'] as const) {
    const dir = paramString(order[key]);
    if (dir !== 'asc' && dir !== 'desc') continue;
    const sign = dir === 'asc' ? 1 : -1;
    return sorted.sort((a, b) => sign * (a[key] - b[key] || a.id - b.id));
  }
  return sorted;
}

export type Checked<T> =
  { ok: true; values: { value: T; requestId: string }[] } | { ok: false; reply: Reply };

/** Parses a JSON array batch and validates every item first; only a fully valid batch passes. */
export function checkBatch<T>(
  body: string,
  validate: (item: unknown, issues: Issues) => T,
  limit: { max: number; detail: string } = {
    max: MAX_BATCH,
    detail: `Limit ${MAX_BATCH} per page`,
  },
): Checked<T> {
  const batch = parseBatch(body, limit.max, limit.detail);
  if (!batch.ok) return batch;
  const failed: ItemErrors[] = [];
  const values: { value: T; requestId: string }[] = [];
  batch.value.forEach((item, i) => {
    const issues = new Issues();
    const requestId = requestIdOf(item, i, issues);
    const value = validate(item, issues);
    if (issues.errors.length > 0) failed.push({ request_id: requestId, errors: issues.errors });
    values.push({ value, requestId });
  });
  return failed.length > 0 ? { ok: false, reply: validationReply(failed) } : { ok: true, values };
}

/**
 * The batch add/patch endpoints: check the whole batch, apply each item (collecting the
 * changes for webhooks), answer `{_links, _embedded: {<key>: [...]}}`.
 */
export function writeBatch<T>(
  ctx: ApiContext,
  req: ApiRequest,
  spec: {
    key: string;
    selfPath: string;
    validate: (item: unknown, issues: Issues) => T;
    apply: (value: T, requestId: string, changes: Change[]) => object;
  },
): Reply {
  const checked = checkBatch(req.body, spec.validate);
  if (!checked.ok) return checked.reply;
  const changes: Change[] = [];
  const items = checked.values.map(({ value, requestId }) => spec.apply(value, requestId, changes));
  ctx.emit(changes);
  return halReply({
    _links: { self: href(ctx, spec.selfPath) },
    _embedded: { [spec.key]: items },
  });
}
