/** Notes on leads, and the lead ↔ contact links. */
import {
  halReply,
  noContentReply,
  paramChild,
  paramList,
  paramString,
  problemReply,
  type Reply,
} from '../http';
import {
  validateLink,
  validateNote,
  type LinkInput,
  type NoteInput,
} from '../validation/notes-links';
import {
  checkBatch,
  href,
  idParam,
  orderBy,
  page,
  selfLink,
  writeBatch,
  type ApiContext,
  type ApiRequest,
  type Register,
} from './common';

/** Said when a write needs the lead accepted from incoming leads first (wording assumed). */
export const INCOMING_DETAIL = 'The lead is in incoming leads; accept it first.';

export function registerNoteAndLinkRoutes(r: Register, ctx: ApiContext): void {
  r('GET', '/leads/notes', (q) => listNotes(ctx, q));
  r('POST', '/leads/notes', (q) => addNotes(ctx, q));
  r('GET', '/leads/(\\d+)/notes', (q, m) => listNotes(ctx, q, idParam(m)));
  r('POST', '/leads/(\\d+)/notes', (q, m) => addNotes(ctx, q, idParam(m)));
  r('GET', '/leads/(\\d+)/links', (q, m) => listLinks(ctx, q, idParam(m)));
  r('POST', '/leads/(\\d+)/link', (q, m) => link(ctx, q, idParam(m)));
  r('POST', '/leads/(\\d+)/unlink', (q, m) => unlink(ctx, q, idParam(m)));
}

function listNotes(ctx: ApiContext, req: ApiRequest, leadId?: number): Reply {
  if (leadId !== undefined && !ctx.store.leads.has(leadId)) return noContentReply();
  const entityIds = paramList(paramChild(req.params.filter, 'entity_id')).map(Number);
  const notes = [...ctx.store.notes.values()].filter(
    (n) =>
      (leadId === undefined || n.entity_id === leadId) &&
      (entityIds.length === 0 || entityIds.includes(n.entity_id)),
  );
  return page(
    ctx,
    req,
    'notes',
    orderBy(notes, req.params).map((n) => ctx.store.noteRead(n)),
  );
}

function addNotes(ctx: ApiContext, req: ApiRequest, leadId?: number): Reply {
  if (leadId !== undefined && !ctx.store.leads.has(leadId)) {
    return problemReply(404, 'Entity not found');
  }
  return writeBatch(ctx, req, {
    key: 'notes',
    selfPath: leadId === undefined ? '/api/v4/leads/notes' : `/api/v4/leads/${leadId}/notes`,
    validate: (item, issues) => {
      const note = validateNote(item, ctx.store, issues, leadId);
      // Notes cannot be attached to an incoming lead (§14.1); the error shape is assumed.
      if (note && ctx.isIncoming?.(note.leadId)) {
        issues.add('NotSupportedChoice', 'entity_id', INCOMING_DETAIL);
      }
      return note;
    },
    apply: (value, requestId, changes) => {
      const input = value as NoteInput;
      const { note, change } = ctx.store.addNote(input.leadId, input, req.userId);
      changes.push(change);
      return {
        id: note.id,
        entity_id: note.entity_id,
        request_id: requestId,
        _links: { self: href(ctx, `/api/v4/leads/${note.entity_id}/notes/${note.id}`) },
      };
    },
  });
}

function readLinks(
  ctx: ApiContext,
  req: ApiRequest,
  leadId: number,
): { ok: true; links: LinkInput[] } | { ok: false; reply: Reply } {
  if (!ctx.store.leads.has(leadId))
    return { ok: false, reply: problemReply(404, 'Entity not found') };
  const checked = checkBatch(req.body, (item, issues) => validateLink(item, ctx.store, issues));
  if (!checked.ok) return checked;
  return { ok: true, links: checked.values.map((v) => v.value as LinkInput) };
}

function link(ctx: ApiContext, req: ApiRequest, leadId: number): Reply {
  const parsed = readLinks(ctx, req, leadId);
  if (!parsed.ok) return parsed.reply;
  const made = parsed.links.map((l) => ctx.store.link(leadId, l.contactId, l.main));
  return halReply({
    _links: { self: href(ctx, `/api/v4/leads/${leadId}/link`) },
    _embedded: { links: made.map((l) => ctx.store.linkRead(l)) },
  });
}

function unlink(ctx: ApiContext, req: ApiRequest, leadId: number): Reply {
  const parsed = readLinks(ctx, req, leadId);
  if (!parsed.ok) return parsed.reply;
  for (const l of parsed.links) ctx.store.unlink(leadId, l.contactId);
  return noContentReply();
}

function listLinks(ctx: ApiContext, req: ApiRequest, leadId: number): Reply {
  const filter = req.params.filter;
  const type = paramString(paramChild(filter, 'to_entity_type'));
  const toIds = paramList(paramChild(filter, 'to_entity_id')).map(Number);
  const links = ctx.store
    .contactLinksOf(leadId)
    .filter(
      (l) =>
        (type === undefined || type === 'contacts') &&
        (toIds.length === 0 || toIds.includes(l.contactId)),
    );
  if (links.length === 0) return noContentReply();
  return halReply({
    _total_items: links.length,
    _links: selfLink(ctx, req),
    _embedded: { links: links.map((l) => ctx.store.linkRead(l)) },
  });
}
