/**
 * The `/api/v4` endpoints. Requests reach these handlers already authenticated and
 * rate-limited; each returns a Reply and reports its writes so webhooks can follow.
 */
import {
  CONTACT_FIELDS,
  LEAD_FIELDS,
  PIPELINES,
  USERS,
  findPipeline,
  firstRegularStatus,
  mainPipeline,
  type FieldDef,
  type PipelineDef,
} from './fixtures';
import {
  halReply,
  noContentReply,
  paramChild,
  paramList,
  paramString,
  problemReply,
  type ParamNode,
  type ParamTree,
  type Reply,
} from './http';
import { matchesQuery, type Change, type SandboxStore } from './store';
import {
  Issues,
  parseBatch,
  parseObject,
  requestIdOf,
  validateContact,
  validateLead,
  validateLink,
  validateNote,
  validateWebhook,
  validationReply,
  type ItemErrors,
  type LeadInput,
  type LinkInput,
  type NoteInput,
} from './validation';
import type { WebhookSender } from './webhooks';

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
  webhooks: WebhookSender;
  baseUrl: string;
  accountId: number;
  subdomain: string;
  emit(changes: Change[]): void;
}

type Handler = (req: ApiRequest, match: RegExpExecArray) => Reply;

interface Route {
  method: string;
  pattern: RegExp;
  handler: Handler;
}

function idParam(match: RegExpExecArray, i = 1): number {
  return Number(match[i]);
}

/** Validates every item first; only a fully valid batch is applied. */
function validateAll<T>(
  items: unknown[],
  validate: (item: unknown, issues: Issues) => T,
): { ok: true; values: { value: T; requestId: string }[] } | { ok: false; reply: Reply } {
  const failed: ItemErrors[] = [];
  const values: { value: T; requestId: string }[] = [];
  items.forEach((item, i) => {
    const issues = new Issues();
    const requestId = requestIdOf(item, i, issues);
    const value = validate(item, issues);
    if (issues.errors.length > 0) failed.push({ request_id: requestId, errors: issues.errors });
    values.push({ value, requestId });
  });
  return failed.length > 0 ? { ok: false, reply: validationReply(failed) } : { ok: true, values };
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

function isReply(value: Paging | Reply): value is Reply {
  return 'status' in value;
}

function rangeFilter(node: ParamNode | undefined): { from?: number; to?: number } {
  const from = paramString(paramChild(node, 'from'));
  const to = paramString(paramChild(node, 'to'));
  return {
    from: from !== undefined && from !== '' ? Number(from) : undefined,
    to: to !== undefined && to !== '' ? Number(to) : undefined,
  };
}

function inRange(value: number, range: { from?: number; to?: number }): boolean {
  if (range.from !== undefined && !(value >= range.from)) return false;
  if (range.to !== undefined && !(value <= range.to)) return false;
  return true;
}

function orderBy<T extends { id: number; created_at: number; updated_at: number }>(
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

export class ApiRoutes {
  private readonly routes: Route[] = [];

  constructor(private readonly ctx: ApiContext) {
    const r = (method: string, path: string, handler: Handler): void => {
      this.routes.push({ method, pattern: new RegExp(`^/api/v4${path}$`), handler });
    };
    r('GET', '/account', () => this.account());
    r('GET', '/users', () => this.users());
    r('GET', '/leads', (q) => this.listLeads(q));
    r('POST', '/leads', (q) => this.addLeads(q));
    r('PATCH', '/leads', (q) => this.patchLeads(q));
    r('POST', '/leads/complex', (q) => this.addComplex(q));
    r('GET', '/leads/pipelines', () => this.listPipelines());
    r('GET', '/leads/pipelines/(\\d+)', (_q, m) => this.onePipeline(idParam(m)));
    r('GET', '/leads/pipelines/(\\d+)/statuses', (_q, m) => this.listStatuses(idParam(m)));
    r('GET', '/leads/pipelines/(\\d+)/statuses/(\\d+)', (_q, m) =>
      this.oneStatus(idParam(m), idParam(m, 2)),
    );
    r('GET', '/leads/custom_fields', (q) => this.listFields(q, 'leads', LEAD_FIELDS));
    r('GET', '/leads/custom_fields/(\\d+)', (_q, m) => this.oneField(LEAD_FIELDS, idParam(m)));
    r('GET', '/contacts/custom_fields', (q) => this.listFields(q, 'contacts', CONTACT_FIELDS));
    r('GET', '/contacts/custom_fields/(\\d+)', (_q, m) =>
      this.oneField(CONTACT_FIELDS, idParam(m)),
    );
    r('GET', '/leads/notes', (q) => this.listNotes(q));
    r('POST', '/leads/notes', (q) => this.addNotes(q));
    r('GET', '/leads/(\\d+)/notes', (q, m) => this.listNotes(q, idParam(m)));
    r('POST', '/leads/(\\d+)/notes', (q, m) => this.addNotes(q, idParam(m)));
    r('GET', '/leads/(\\d+)/links', (q, m) => this.listLinks(q, idParam(m)));
    r('POST', '/leads/(\\d+)/link', (q, m) => this.link(q, idParam(m)));
    r('POST', '/leads/(\\d+)/unlink', (q, m) => this.unlink(q, idParam(m)));
    r('GET', '/leads/(\\d+)', (q, m) => this.oneLead(q, idParam(m)));
    r('PATCH', '/leads/(\\d+)', (q, m) => this.patchLead(q, idParam(m)));
    r('GET', '/contacts', (q) => this.listContacts(q));
    r('POST', '/contacts', (q) => this.addContacts(q));
    r('PATCH', '/contacts', (q) => this.patchContacts(q));
    r('GET', '/contacts/(\\d+)', (q, m) => this.oneContact(q, idParam(m)));
    r('PATCH', '/contacts/(\\d+)', (q, m) => this.patchContact(q, idParam(m)));
    r('GET', '/webhooks', (q) => this.listWebhooks(q));
    r('POST', '/webhooks', (q) => this.addWebhook(q));
    r('DELETE', '/webhooks', (q) => this.deleteWebhook(q));
  }

  handle(req: ApiRequest): Reply {
    const path = req.url.pathname;
    let pathKnown = false;
    for (const route of this.routes) {
      const match = route.pattern.exec(path);
      if (!match) continue;
      pathKnown = true;
      if (route.method === req.method) return route.handler(req, match);
    }
    if (pathKnown) return problemReply(405, 'Method Not Allowed');
    return problemReply(404, `Cannot ${req.method} ${this.ctx.baseUrl}${path}`);
  }

  private get store(): SandboxStore {
    return this.ctx.store;
  }

  private href(path: string): { href: string } {
    return { href: `${this.ctx.baseUrl}${path}` };
  }

  private selfLink(req: ApiRequest): { self: { href: string } } {
    return { self: { href: `${this.ctx.baseUrl}${req.url.pathname}${req.url.search}` } };
  }

  /** One page of a HAL collection; an empty page is 204 with no body. */
  private page<T>(req: ApiRequest, key: string, items: T[]): Reply {
    const paging = readPaging(req.params);
    if (isReply(paging)) return paging;
    const { page, limit } = paging;
    const slice = items.slice((page - 1) * limit, page * limit);
    if (slice.length === 0) return noContentReply();
    const linkTo = (n: number): { href: string } => {
      const q = new URLSearchParams(req.url.searchParams);
      q.set('page', String(n));
      q.set('limit', String(limit));
      return this.href(`${req.url.pathname}?${q.toString()}`);
    };
    const links: Record<string, { href: string }> = { ...this.selfLink(req) };
    if (items.length > page * limit) links.next = linkTo(page + 1);
    if (page > 1) {
      links.first = linkTo(1);
      links.prev = linkTo(page - 1);
    }
    return halReply({ _page: page, _links: links, _embedded: { [key]: slice } });
  }

  // ---- account ----

  private account(): Reply {
    const created = 1700000000;
    return halReply({
      id: this.ctx.accountId,
      name: 'Sandbox',
      subdomain: this.ctx.subdomain,
      created_at: created,
      created_by: USERS[0]?.id ?? 0,
      updated_at: created,
      updated_by: USERS[0]?.id ?? 0,
      current_user_id: USERS[0]?.id ?? 0,
      country: 'RU',
      currency: 'RUB',
      currency_symbol: '₽',
      customers_mode: 'disabled',
      is_unsorted_on: true,
      is_loss_reason_enabled: true,
      is_helpbot_enabled: false,
      is_technical_account: true,
      contact_name_display_order: 1,
      _links: { self: this.href('/api/v4/account') },
    });
  }

  private users(): Reply {
    return halReply({
      _total_items: USERS.length,
      _page: 1,
      _page_count: 1,
      _links: { self: this.href('/api/v4/users') },
      _embedded: {
        users: USERS.map((u) => ({
          ...u,
          lang: 'ru',
          _links: { self: this.href(`/api/v4/users/${u.id}`) },
        })),
      },
    });
  }

  // ---- pipelines and fields ----

  private pipelineRead(p: PipelineDef): object {
    return {
      id: p.id,
      name: p.name,
      sort: p.sort,
      is_main: p.is_main,
      is_unsorted_on: p.is_unsorted_on,
      is_archive: p.is_archive,
      account_id: this.ctx.accountId,
      _links: { self: this.href(`/api/v4/leads/pipelines/${p.id}`) },
      _embedded: { statuses: p.statuses.map((s) => this.statusRead(p, s.id)) },
    };
  }

  private statusRead(p: PipelineDef, statusId: number): object | undefined {
    const s = p.statuses.find((x) => x.id === statusId);
    if (!s) return undefined;
    return {
      id: s.id,
      name: s.name,
      sort: s.sort,
      is_editable: s.is_editable,
      pipeline_id: p.id,
      color: s.color,
      type: s.type,
      account_id: this.ctx.accountId,
      _links: { self: this.href(`/api/v4/leads/pipelines/${p.id}/statuses/${s.id}`) },
    };
  }

  private listPipelines(): Reply {
    return halReply({
      _total_items: PIPELINES.length,
      _links: { self: this.href('/api/v4/leads/pipelines') },
      _embedded: { pipelines: PIPELINES.map((p) => this.pipelineRead(p)) },
    });
  }

  private onePipeline(id: number): Reply {
    const p = findPipeline(id);
    return p ? halReply(this.pipelineRead(p)) : noContentReply();
  }

  private listStatuses(id: number): Reply {
    const p = findPipeline(id);
    if (!p) return noContentReply();
    return halReply({
      _total_items: p.statuses.length,
      _links: { self: this.href(`/api/v4/leads/pipelines/${p.id}/statuses`) },
      _embedded: { statuses: p.statuses.map((s) => this.statusRead(p, s.id)) },
    });
  }

  private oneStatus(pipelineId: number, statusId: number): Reply {
    const p = findPipeline(pipelineId);
    const s = p ? this.statusRead(p, statusId) : undefined;
    return s ? halReply(s) : noContentReply();
  }

  private fieldRead(f: FieldDef): object {
    return {
      id: f.id,
      name: f.name,
      type: f.type,
      account_id: this.ctx.accountId,
      code: f.code,
      sort: f.sort,
      is_api_only: false,
      enums: f.enums ? f.enums.map((e) => ({ ...e })) : null,
      group_id: null,
      required_statuses: [],
      is_deletable: !f.is_predefined,
      is_predefined: f.is_predefined,
      entity_type: f.entity_type,
      remind: null,
      _links: { self: this.href(`/api/v4/${f.entity_type}/custom_fields/${f.id}`) },
    };
  }

  private listFields(req: ApiRequest, entity: string, fields: FieldDef[]): Reply {
    const paging = readPaging(req.params);
    if (isReply(paging)) return paging;
    if (paging.page > 1) return noContentReply();
    return halReply({
      _total_items: fields.length,
      _page: 1,
      _links: { self: this.href(`/api/v4/${entity}/custom_fields`) },
      _embedded: { custom_fields: fields.map((f) => this.fieldRead(f)) },
    });
  }

  private oneField(fields: FieldDef[], id: number): Reply {
    const f = fields.find((x) => x.id === id);
    return f ? halReply(this.fieldRead(f)) : noContentReply();
  }

  // ---- leads ----

  private listLeads(req: ApiRequest): Reply {
    const p = req.params;
    const withContacts = paramList(p.with).includes('contacts');
    const filter = p.filter;
    const ids = paramList(paramChild(filter, 'id')).map(Number);
    const pipelineIds = paramList(paramChild(filter, 'pipeline_id')).map(Number);
    const updated = rangeFilter(paramChild(filter, 'updated_at'));
    const created = rangeFilter(paramChild(filter, 'created_at'));
    const statuses = paramChild(filter, 'statuses');
    const stageFilters =
      statuses === undefined || typeof statuses === 'string'
        ? []
        : Object.values(statuses).map((s) => ({
            pipelineId: Number(paramString(paramChild(s, 'pipeline_id'))),
            statusId: Number(paramString(paramChild(s, 'status_id'))),
          }));
    const query = paramString(p.query);
    const leads = [...this.store.leads.values()].filter(
      (l) =>
        (ids.length === 0 || ids.includes(l.id)) &&
        (pipelineIds.length === 0 || pipelineIds.includes(l.pipeline_id)) &&
        (stageFilters.length === 0 ||
          stageFilters.some((s) => s.pipelineId === l.pipeline_id && s.statusId === l.status_id)) &&
        inRange(l.updated_at, updated) &&
        inRange(l.created_at, created) &&
        (!query || matchesQuery(query, [l.id, l.name], l.custom_fields_values)),
    );
    return this.page(
      req,
      'leads',
      orderBy(leads, p).map((l) => this.store.leadRead(l, withContacts)),
    );
  }

  private oneLead(req: ApiRequest, id: number): Reply {
    const lead = this.store.leads.get(id);
    if (!lead) return noContentReply();
    return halReply(this.store.leadRead(lead, paramList(req.params.with).includes('contacts')));
  }

  private defaultStage(input: LeadInput): { statusId: number; pipelineId: number } {
    const pipeline =
      input.pipelineId !== undefined ? findPipeline(input.pipelineId) : mainPipeline();
    const p = pipeline ?? mainPipeline();
    return { pipelineId: p.id, statusId: firstRegularStatus(p).id };
  }

  private addLeads(req: ApiRequest): Reply {
    const batch = parseBatch(req.body, MAX_BATCH, `Limit ${MAX_BATCH} per page`);
    if (!batch.ok) return batch.reply;
    const checked = validateAll(batch.value, (item, issues) =>
      validateLead(item, 'create', this.store, issues),
    );
    if (!checked.ok) return checked.reply;
    const changes: Change[] = [];
    const created = checked.values.map(({ value, requestId }) => {
      const change = this.store.addLead(value, req.userId, this.defaultStage(value));
      changes.push(change);
      const id = change.kind === 'lead_added' ? change.lead.id : 0;
      return { id, request_id: requestId, _links: { self: this.href(`/api/v4/leads/${id}`) } };
    });
    this.ctx.emit(changes);
    return halReply({
      _links: { self: this.href('/api/v4/leads') },
      _embedded: { leads: created },
    });
  }

  private patchLeads(req: ApiRequest): Reply {
    const batch = parseBatch(req.body, MAX_BATCH, `Limit ${MAX_BATCH} per page`);
    if (!batch.ok) return batch.reply;
    const checked = validateAll(batch.value, (item, issues) =>
      validateLead(item, 'update', this.store, issues, { idRequired: true }),
    );
    if (!checked.ok) return checked.reply;
    const changes: Change[] = [];
    const updated = checked.values.map(({ value, requestId }) => {
      const lead = this.store.leads.get(value.id ?? 0);
      if (!lead) throw new Error('validated lead vanished');
      changes.push(this.store.updateLead(lead, value, req.userId));
      return {
        id: lead.id,
        updated_at: lead.updated_at,
        request_id: requestId,
        _links: { self: this.href(`/api/v4/leads/${lead.id}`) },
      };
    });
    this.ctx.emit(changes);
    return halReply({
      _links: { self: this.href('/api/v4/leads') },
      _embedded: { leads: updated },
    });
  }

  private patchLead(req: ApiRequest, id: number): Reply {
    const lead = this.store.leads.get(id);
    if (!lead) return problemReply(404, 'Entity not found');
    const body = parseObject(req.body);
    if (!body.ok) return body.reply;
    const issues = new Issues();
    const requestId = requestIdOf(body.value, 0, issues);
    const input = validateLead(body.value, 'update', this.store, issues, { existing: lead });
    if (issues.errors.length > 0) {
      return validationReply([{ request_id: requestId, errors: issues.errors }]);
    }
    this.ctx.emit([this.store.updateLead(lead, input, req.userId)]);
    return halReply({
      id: lead.id,
      updated_at: lead.updated_at,
      _links: { self: this.href(`/api/v4/leads/${lead.id}`) },
    });
  }

  private addComplex(req: ApiRequest): Reply {
    const batch = parseBatch(req.body, MAX_COMPLEX, `Limit ${MAX_COMPLEX} per request`);
    if (!batch.ok) return batch.reply;
    const checked = validateAll(batch.value, (item, issues) =>
      validateLead(item, 'complex', this.store, issues),
    );
    if (!checked.ok) return checked.reply;
    const changes: Change[] = [];
    const result = checked.values.map(({ value, requestId }) => {
      let contactId: number | null = null;
      const cc = value.complexContact;
      if (cc?.existingId !== undefined) contactId = cc.existingId;
      else if (cc?.create) {
        const change = this.store.addContact(cc.create, req.userId);
        changes.push(change);
        if (change.kind === 'contact_added') contactId = change.contact.id;
      }
      const write: LeadInput = {
        ...value,
        contacts: contactId !== null ? [{ id: contactId, isMain: true }] : undefined,
      };
      const change = this.store.addLead(write, req.userId, this.defaultStage(value));
      changes.push(change);
      const id = change.kind === 'lead_added' ? change.lead.id : 0;
      return {
        id,
        contact_id: contactId,
        company_id: null,
        request_id: [requestId],
        merged: false,
      };
    });
    this.ctx.emit(changes);
    return halReply(result);
  }

  // ---- notes and links ----

  private listNotes(req: ApiRequest, leadId?: number): Reply {
    if (leadId !== undefined && !this.store.leads.has(leadId)) return noContentReply();
    const entityIds = paramList(paramChild(req.params.filter, 'entity_id')).map(Number);
    const notes = [...this.store.notes.values()].filter(
      (n) =>
        (leadId === undefined || n.entity_id === leadId) &&
        (entityIds.length === 0 || entityIds.includes(n.entity_id)),
    );
    return this.page(
      req,
      'notes',
      orderBy(notes, req.params).map((n) => this.store.noteRead(n)),
    );
  }

  private addNotes(req: ApiRequest, leadId?: number): Reply {
    if (leadId !== undefined && !this.store.leads.has(leadId)) {
      return problemReply(404, 'Entity not found');
    }
    const batch = parseBatch(req.body, MAX_BATCH, `Limit ${MAX_BATCH} per page`);
    if (!batch.ok) return batch.reply;
    const checked = validateAll(batch.value, (item, issues) =>
      validateNote(item, this.store, issues, leadId),
    );
    if (!checked.ok) return checked.reply;
    const changes: Change[] = [];
    const created = checked.values.map(({ value, requestId }) => {
      const input = value as NoteInput;
      const { note, change } = this.store.addNote(input.leadId, input, req.userId);
      changes.push(change);
      return {
        id: note.id,
        entity_id: note.entity_id,
        request_id: requestId,
        _links: { self: this.href(`/api/v4/leads/${note.entity_id}/notes/${note.id}`) },
      };
    });
    this.ctx.emit(changes);
    const self = leadId === undefined ? '/api/v4/leads/notes' : `/api/v4/leads/${leadId}/notes`;
    return halReply({ _links: { self: this.href(self) }, _embedded: { notes: created } });
  }

  private readLinks(
    req: ApiRequest,
    leadId: number,
  ): { ok: true; links: LinkInput[] } | { ok: false; reply: Reply } {
    if (!this.store.leads.has(leadId))
      return { ok: false, reply: problemReply(404, 'Entity not found') };
    const batch = parseBatch(req.body, MAX_BATCH, `Limit ${MAX_BATCH} per page`);
    if (!batch.ok) return batch;
    const checked = validateAll(batch.value, (item, issues) =>
      validateLink(item, this.store, issues),
    );
    if (!checked.ok) return checked;
    return { ok: true, links: checked.values.map((v) => v.value as LinkInput) };
  }

  private link(req: ApiRequest, leadId: number): Reply {
    const parsed = this.readLinks(req, leadId);
    if (!parsed.ok) return parsed.reply;
    const made = parsed.links.map((l) => this.store.link(leadId, l.contactId, l.main));
    return halReply({
      _links: { self: this.href(`/api/v4/leads/${leadId}/link`) },
      _embedded: { links: made.map((l) => this.store.linkRead(l)) },
    });
  }

  private unlink(req: ApiRequest, leadId: number): Reply {
    const parsed = this.readLinks(req, leadId);
    if (!parsed.ok) return parsed.reply;
    for (const l of parsed.links) this.store.unlink(leadId, l.contactId);
    return noContentReply();
  }

  private listLinks(req: ApiRequest, leadId: number): Reply {
    const filter = req.params.filter;
    const type = paramString(paramChild(filter, 'to_entity_type'));
    const toIds = paramList(paramChild(filter, 'to_entity_id')).map(Number);
    const links = this.store
      .contactLinksOf(leadId)
      .filter(
        (l) =>
          (type === undefined || type === 'contacts') &&
          (toIds.length === 0 || toIds.includes(l.contactId)),
      );
    if (links.length === 0) return noContentReply();
    return halReply({
      _total_items: links.length,
      _links: this.selfLink(req),
      _embedded: { links: links.map((l) => this.store.linkRead(l)) },
    });
  }

  // ---- contacts ----

  private listContacts(req: ApiRequest): Reply {
    const p = req.params;
    const withLeads = paramList(p.with).includes('leads');
    const ids = paramList(paramChild(p.filter, 'id')).map(Number);
    const updated = rangeFilter(paramChild(p.filter, 'updated_at'));
    const query = paramString(p.query);
    const contacts = [...this.store.contacts.values()].filter(
      (c) =>
        (ids.length === 0 || ids.includes(c.id)) &&
        inRange(c.updated_at, updated) &&
        (!query ||
          matchesQuery(query, [c.id, c.name, c.first_name, c.last_name], c.custom_fields_values)),
    );
    return this.page(
      req,
      'contacts',
      orderBy(contacts, p).map((c) => this.store.contactRead(c, withLeads)),
    );
  }

  private oneContact(req: ApiRequest, id: number): Reply {
    const contact = this.store.contacts.get(id);
    if (!contact) return noContentReply();
    return halReply(this.store.contactRead(contact, paramList(req.params.with).includes('leads')));
  }

  private addContacts(req: ApiRequest): Reply {
    const batch = parseBatch(req.body, MAX_BATCH, `Limit ${MAX_BATCH} per page`);
    if (!batch.ok) return batch.reply;
    const checked = validateAll(batch.value, (item, issues) =>
      validateContact(item, 'create', this.store, issues),
    );
    if (!checked.ok) return checked.reply;
    const changes: Change[] = [];
    const created = checked.values.map(({ value, requestId }) => {
      const change = this.store.addContact(value, req.userId);
      changes.push(change);
      const id = change.kind === 'contact_added' ? change.contact.id : 0;
      return { id, request_id: requestId, _links: { self: this.href(`/api/v4/contacts/${id}`) } };
    });
    this.ctx.emit(changes);
    return halReply({
      _links: { self: this.href('/api/v4/contacts') },
      _embedded: { contacts: created },
    });
  }

  private patchContacts(req: ApiRequest): Reply {
    const batch = parseBatch(req.body, MAX_BATCH, `Limit ${MAX_BATCH} per page`);
    if (!batch.ok) return batch.reply;
    const checked = validateAll(batch.value, (item, issues) =>
      validateContact(item, 'update', this.store, issues, '', { idRequired: true }),
    );
    if (!checked.ok) return checked.reply;
    const changes: Change[] = [];
    const updated = checked.values.map(({ value, requestId }) => {
      const contact = this.store.contacts.get(value.id ?? 0);
      if (!contact) throw new Error('validated contact vanished');
      changes.push(this.store.updateContact(contact, value, req.userId));
      return {
        id: contact.id,
        updated_at: contact.updated_at,
        request_id: requestId,
        _links: { self: this.href(`/api/v4/contacts/${contact.id}`) },
      };
    });
    this.ctx.emit(changes);
    return halReply({
      _links: { self: this.href('/api/v4/contacts') },
      _embedded: { contacts: updated },
    });
  }

  private patchContact(req: ApiRequest, id: number): Reply {
    const contact = this.store.contacts.get(id);
    if (!contact) return problemReply(404, 'Entity not found');
    const body = parseObject(req.body);
    if (!body.ok) return body.reply;
    const issues = new Issues();
    const requestId = requestIdOf(body.value, 0, issues);
    const input = validateContact(body.value, 'update', this.store, issues, '', { existingId: id });
    if (issues.errors.length > 0) {
      return validationReply([{ request_id: requestId, errors: issues.errors }]);
    }
    this.ctx.emit([this.store.updateContact(contact, input, req.userId)]);
    return halReply({
      id: contact.id,
      updated_at: contact.updated_at,
      _links: { self: this.href(`/api/v4/contacts/${contact.id}`) },
    });
  }

  // ---- webhooks ----

  private listWebhooks(req: ApiRequest): Reply {
    const destination = paramString(paramChild(req.params.filter, 'destination'));
    const hooks = this.ctx.webhooks
      .list()
      .filter((h) => destination === undefined || h.destination === destination);
    if (hooks.length === 0) return noContentReply();
    return halReply({
      _total_items: hooks.length,
      _links: this.selfLink(req),
      _embedded: { webhooks: hooks },
    });
  }

  private addWebhook(req: ApiRequest): Reply {
    const body = parseObject(req.body);
    if (!body.ok) return body.reply;
    const issues = new Issues();
    const input = validateWebhook(body.value, issues);
    if (!input || issues.errors.length > 0) {
      return validationReply([{ request_id: '0', errors: issues.errors }]);
    }
    return halReply(this.ctx.webhooks.register(input, req.userId), 201);
  }

  private deleteWebhook(req: ApiRequest): Reply {
    const body = parseObject(req.body);
    if (!body.ok) return body.reply;
    const destination = body.value.destination;
    if (typeof destination !== 'string') {
      return validationReply([
        {
          request_id: '0',
          errors: [
            {
              code: 'InvalidType',
              path: 'destination',
              detail: 'This value should be of type string.',
            },
          ],
        },
      ]);
    }
    if (!this.ctx.webhooks.unregister(destination)) return problemReply(404, 'Webhook not found');
    return noContentReply();
  }
}
