/** The account's catalog: pipelines with their statuses, and lead/contact custom fields. */
import {
  CONTACT_FIELDS,
  PIPELINES,
  accountLeadFields,
  findPipeline,
  type FieldDef,
  type PipelineDef,
} from '../fixtures';
import { halReply, noContentReply, type Reply } from '../http';
import {
  href,
  idParam,
  pageNumber,
  type ApiContext,
  type ApiRequest,
  type Register,
} from './common';

export function registerCatalogRoutes(r: Register, ctx: ApiContext): void {
  r('GET', '/leads/pipelines', () => listPipelines(ctx));
  r('GET', '/leads/pipelines/(\\d+)', (_q, m) => onePipeline(ctx, idParam(m)));
  r('GET', '/leads/pipelines/(\\d+)/statuses', (_q, m) => listStatuses(ctx, idParam(m)));
  r('GET', '/leads/pipelines/(\\d+)/statuses/(\\d+)', (_q, m) =>
    oneStatus(ctx, idParam(m), idParam(m, 2)),
  );
  const leadFields = () => accountLeadFields(ctx.settings.absentTrackingFields);
  r('GET', '/leads/custom_fields', (q) => listFields(ctx, q, 'leads', leadFields()));
  r('GET', '/leads/custom_fields/(\\d+)', (_q, m) => oneField(ctx, leadFields(), idParam(m)));
  r('GET', '/contacts/custom_fields', (q) => listFields(ctx, q, 'contacts', CONTACT_FIELDS));
  r('GET', '/contacts/custom_fields/(\\d+)', (_q, m) => oneField(ctx, CONTACT_FIELDS, idParam(m)));
}

function pipelineRead(ctx: ApiContext, p: PipelineDef): object {
  return {
    id: p.id,
    name: p.name,
    sort: p.sort,
    is_main: p.is_main,
    is_unsorted_on: p.is_unsorted_on,
    is_archive: p.is_archive,
    account_id: ctx.accountId,
    _links: { self: href(ctx, `/api/v4/leads/pipelines/${p.id}`) },
    _embedded: { statuses: p.statuses.map((s) => statusRead(ctx, p, s.id)) },
  };
}

function statusRead(ctx: ApiContext, p: PipelineDef, statusId: number): object | undefined {
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
    account_id: ctx.accountId,
    _links: { self: href(ctx, `/api/v4/leads/pipelines/${p.id}/statuses/${s.id}`) },
  };
}

function listPipelines(ctx: ApiContext): Reply {
  return halReply({
    _total_items: PIPELINES.length,
    _links: { self: href(ctx, '/api/v4/leads/pipelines') },
    _embedded: { pipelines: PIPELINES.map((p) => pipelineRead(ctx, p)) },
  });
}

function onePipeline(ctx: ApiContext, id: number): Reply {
  const p = findPipeline(id);
  return p ? halReply(pipelineRead(ctx, p)) : noContentReply();
}

function listStatuses(ctx: ApiContext, id: number): Reply {
  const p = findPipeline(id);
  if (!p) return noContentReply();
  return halReply({
    _total_items: p.statuses.length,
    _links: { self: href(ctx, `/api/v4/leads/pipelines/${p.id}/statuses`) },
    _embedded: { statuses: p.statuses.map((s) => statusRead(ctx, p, s.id)) },
  });
}

function oneStatus(ctx: ApiContext, pipelineId: number, statusId: number): Reply {
  const p = findPipeline(pipelineId);
  const s = p ? statusRead(ctx, p, statusId) : undefined;
  return s ? halReply(s) : noContentReply();
}

function fieldRead(ctx: ApiContext, f: FieldDef): object {
  return {
    id: f.id,
    name: f.name,
    type: f.type,
    account_id: ctx.accountId,
    code: f.code,
    sort: f.sort,
    is_api_only: f.is_api_only ?? false,
    enums: f.enums ? f.enums.map((e) => ({ ...e })) : null,
    group_id: f.group_id ?? null,
    required_statuses: [],
    is_deletable: !f.is_predefined,
    is_predefined: f.is_predefined,
    entity_type: f.entity_type,
    remind: null,
    _links: { self: href(ctx, `/api/v4/${f.entity_type}/custom_fields/${f.id}`) },
  };
}

function listFields(ctx: ApiContext, req: ApiRequest, entity: string, fields: FieldDef[]): Reply {
  const n = pageNumber(req.params);
  if (typeof n !== 'number') return n;
  if (n > 1) return noContentReply();
  return halReply({
    _total_items: fields.length,
    _page: 1,
    _links: { self: href(ctx, `/api/v4/${entity}/custom_fields`) },
    _embedded: { custom_fields: fields.map((f) => fieldRead(ctx, f)) },
  });
}

function oneField(ctx: ApiContext, fields: FieldDef[], id: number): Reply {
  const f = fields.find((x) => x.id === id);
  return f ? halReply(fieldRead(ctx, f)) : noContentReply();
}
