/** Leads: list, one, batch add and patch, single patch, and the complex create. */
import { accountLeadFields, findPipeline, firstRegularStatus, mainPipeline } from '../fixtures';
import {
  halReply,
  noContentReply,
  paramChild,
  paramList,
  paramString,
  problemReply,
  type Reply,
} from '../http';
import { matchesQuery, type Change } from '../store';
import { Issues, parseObject, requestIdOf, validationReply } from '../validation/common';
import { validateLead, type LeadInput } from '../validation/leads';
import { findDuplicate } from './duplicates';
import { INCOMING_DETAIL } from './notes-links';
import {
  MAX_COMPLEX,
  checkBatch,
  href,
  idParam,
  inRange,
  orderBy,
  page,
  rangeFilter,
  writeBatch,
  type ApiContext,
  type ApiRequest,
  type Register,
} from './common';

export function registerLeadRoutes(r: Register, ctx: ApiContext): void {
  r('GET', '/leads', (q) => listLeads(ctx, q));
  r('POST', '/leads', (q) => addLeads(ctx, q));
  r('PATCH', '/leads', (q) => patchLeads(ctx, q));
  r('POST', '/leads/complex', (q) => addComplex(ctx, q));
  r('GET', '/leads/(\\d+)', (q, m) => oneLead(ctx, q, idParam(m)));
  r('PATCH', '/leads/(\\d+)', (q, m) => patchLead(ctx, q, idParam(m)));
}

function listLeads(ctx: ApiContext, req: ApiRequest): Reply {
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
  const leads = [...ctx.store.leads.values()].filter(
    (l) =>
      (ids.length === 0 || ids.includes(l.id)) &&
      (pipelineIds.length === 0 || pipelineIds.includes(l.pipeline_id)) &&
      (stageFilters.length === 0 ||
        stageFilters.some((s) => s.pipelineId === l.pipeline_id && s.statusId === l.status_id)) &&
      inRange(l.updated_at, updated) &&
      inRange(l.created_at, created) &&
      (!query || matchesQuery(query, [l.id, l.name], l.custom_fields_values)),
  );
  return page(
    ctx,
    req,
    'leads',
    orderBy(leads, p).map((l) => ctx.store.leadRead(l, withContacts)),
  );
}

function oneLead(ctx: ApiContext, req: ApiRequest, id: number): Reply {
  const lead = ctx.store.leads.get(id);
  if (!lead) return noContentReply();
  return halReply(ctx.store.leadRead(lead, paramList(req.params.with).includes('contacts')));
}

function defaultStage(input: LeadInput): { statusId: number; pipelineId: number } {
  const pipeline = input.pipelineId !== undefined ? findPipeline(input.pipelineId) : mainPipeline();
  const p = pipeline ?? mainPipeline();
  return { pipelineId: p.id, statusId: firstRegularStatus(p).id };
}

/** The lead fields this account has now (a test may have removed tracking fields). */
const fieldsOf = (ctx: ApiContext) => accountLeadFields(ctx.settings.absentTrackingFields);

/** A lead of a waiting incoming entry keeps its stage until accepted (assumed). */
function refuseIncomingMove(ctx: ApiContext, input: LeadInput, issues: Issues): LeadInput {
  const moving = input.statusId !== undefined || input.pipelineId !== undefined;
  if (moving && input.id !== undefined && ctx.isIncoming?.(input.id)) {
    issues.add('NotSupportedChoice', 'status_id', INCOMING_DETAIL);
  }
  return input;
}

function addLeads(ctx: ApiContext, req: ApiRequest): Reply {
  return writeBatch(ctx, req, {
    key: 'leads',
    selfPath: '/api/v4/leads',
    validate: (item, issues) =>
      validateLead(item, 'create', ctx.store, issues, { fields: fieldsOf(ctx) }),
    apply: (value, requestId, changes) => {
      const change = ctx.store.addLead(value, req.userId, defaultStage(value));
      changes.push(change);
      const id = change.kind === 'lead_added' ? change.lead.id : 0;
      return { id, request_id: requestId, _links: { self: href(ctx, `/api/v4/leads/${id}`) } };
    },
  });
}

function patchLeads(ctx: ApiContext, req: ApiRequest): Reply {
  return writeBatch(ctx, req, {
    key: 'leads',
    selfPath: '/api/v4/leads',
    validate: (item, issues) =>
      refuseIncomingMove(
        ctx,
        validateLead(item, 'update', ctx.store, issues, {
          idRequired: true,
          fields: fieldsOf(ctx),
        }),
        issues,
      ),
    apply: (value, requestId, changes) => {
      const lead = ctx.store.leads.get(value.id ?? 0);
      if (!lead) throw new Error('validated lead vanished');
      changes.push(ctx.store.updateLead(lead, value, req.userId));
      return {
        id: lead.id,
        updated_at: lead.updated_at,
        request_id: requestId,
        _links: { self: href(ctx, `/api/v4/leads/${lead.id}`) },
      };
    },
  });
}

function patchLead(ctx: ApiContext, req: ApiRequest, id: number): Reply {
  const lead = ctx.store.leads.get(id);
  if (!lead) return problemReply(404, 'Entity not found');
  const body = parseObject(req.body);
  if (!body.ok) return body.reply;
  const issues = new Issues();
  const requestId = requestIdOf(body.value, 0, issues);
  const input = validateLead(body.value, 'update', ctx.store, issues, {
    existing: lead,
    fields: fieldsOf(ctx),
  });
  refuseIncomingMove(ctx, { ...input, id }, issues);
  if (issues.errors.length > 0) {
    return validationReply([{ request_id: requestId, errors: issues.errors }]);
  }
  ctx.emit([ctx.store.updateLead(lead, input, req.userId)]);
  return halReply({
    id: lead.id,
    updated_at: lead.updated_at,
    _links: { self: href(ctx, `/api/v4/leads/${lead.id}`) },
  });
}

function addComplex(ctx: ApiContext, req: ApiRequest): Reply {
  const checked = checkBatch(
    req.body,
    (item, issues) => validateLead(item, 'complex', ctx.store, issues, { fields: fieldsOf(ctx) }),
    { max: MAX_COMPLEX, detail: `Limit ${MAX_COMPLEX} per request` },
  );
  if (!checked.ok) return checked.reply;
  const changes: Change[] = [];
  // Leads made by this very request are never duplicates of each other.
  const before = new Set(ctx.store.leads.keys());
  const result = checked.values.map(({ value, requestId }) => {
    let contactId: number | null = null;
    const cc = value.complexContact;
    const stage = defaultStage(value);
    const duplicate =
      ctx.settings.duplicateControl && cc?.create
        ? findDuplicate(ctx.store, cc.create, value.pipelineId ?? stage.pipelineId, before)
        : undefined;
    if (duplicate) {
      const first = ctx.store.complexRequestIds.get(duplicate.lead.id);
      return {
        id: duplicate.lead.id,
        contact_id: duplicate.contactId,
        company_id: null,
        request_id: first !== undefined ? [first, requestId] : [requestId],
        merged: true,
      };
    }
    if (cc?.existingId !== undefined) contactId = cc.existingId;
    else if (cc?.create) {
      const change = ctx.store.addContact(cc.create, req.userId);
      changes.push(change);
      if (change.kind === 'contact_added') contactId = change.contact.id;
    }
    const write: LeadInput = {
      ...value,
      contacts: contactId !== null ? [{ id: contactId, isMain: true }] : undefined,
    };
    const change = ctx.store.addLead(write, req.userId, stage);
    changes.push(change);
    const id = change.kind === 'lead_added' ? change.lead.id : 0;
    ctx.store.complexRequestIds.set(id, requestId);
    return { id, contact_id: contactId, company_id: null, request_id: [requestId], merged: false };
  });
  ctx.emit(changes);
  return halReply(result);
}
