/** Contacts: list, one, batch add and patch, single patch. */
import {
  halReply,
  noContentReply,
  paramChild,
  paramList,
  paramString,
  problemReply,
  type Reply,
} from '../http';
import { matchesQuery } from '../store';
import { Issues, parseObject, requestIdOf, validationReply } from '../validation/common';
import { validateContact } from '../validation/contacts';
import {
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

export function registerContactRoutes(r: Register, ctx: ApiContext): void {
  r('GET', '/contacts', (q) => listContacts(ctx, q));
  r('POST', '/contacts', (q) => addContacts(ctx, q));
  r('PATCH', '/contacts', (q) => patchContacts(ctx, q));
  r('GET', '/contacts/(\\d+)', (q, m) => oneContact(ctx, q, idParam(m)));
  r('PATCH', '/contacts/(\\d+)', (q, m) => patchContact(ctx, q, idParam(m)));
}

function listContacts(ctx: ApiContext, req: ApiRequest): Reply {
  const p = req.params;
  const withLeads = paramList(p.with).includes('leads');
  const ids = paramList(paramChild(p.filter, 'id')).map(Number);
  const updated = rangeFilter(paramChild(p.filter, 'updated_at'));
  const query = paramString(p.query);
  const contacts = [...ctx.store.contacts.values()].filter(
    (c) =>
      (ids.length === 0 || ids.includes(c.id)) &&
      inRange(c.updated_at, updated) &&
      (!query ||
        matchesQuery(query, [c.id, c.name, c.first_name, c.last_name], c.custom_fields_values)),
  );
  return page(
    ctx,
    req,
    'contacts',
    orderBy(contacts, p).map((c) => ctx.store.contactRead(c, withLeads)),
  );
}

function oneContact(ctx: ApiContext, req: ApiRequest, id: number): Reply {
  const contact = ctx.store.contacts.get(id);
  if (!contact) return noContentReply();
  return halReply(ctx.store.contactRead(contact, paramList(req.params.with).includes('leads')));
}

function addContacts(ctx: ApiContext, req: ApiRequest): Reply {
  return writeBatch(ctx, req, {
    key: 'contacts',
    selfPath: '/api/v4/contacts',
    validate: (item, issues) => validateContact(item, 'create', ctx.store, issues),
    apply: (value, requestId, changes) => {
      const change = ctx.store.addContact(value, req.userId);
      changes.push(change);
      const id = change.kind === 'contact_added' ? change.contact.id : 0;
      return { id, request_id: requestId, _links: { self: href(ctx, `/api/v4/contacts/${id}`) } };
    },
  });
}

function patchContacts(ctx: ApiContext, req: ApiRequest): Reply {
  return writeBatch(ctx, req, {
    key: 'contacts',
    selfPath: '/api/v4/contacts',
    validate: (item, issues) =>
      validateContact(item, 'update', ctx.store, issues, '', { idRequired: true }),
    apply: (value, requestId, changes) => {
      const contact = ctx.store.contacts.get(value.id ?? 0);
      if (!contact) throw new Error('validated contact vanished');
      changes.push(ctx.store.updateContact(contact, value, req.userId));
      return {
        id: contact.id,
        updated_at: contact.updated_at,
        request_id: requestId,
        _links: { self: href(ctx, `/api/v4/contacts/${contact.id}`) },
      };
    },
  });
}

function patchContact(ctx: ApiContext, req: ApiRequest, id: number): Reply {
  const contact = ctx.store.contacts.get(id);
  if (!contact) return problemReply(404, 'Entity not found');
  const body = parseObject(req.body);
  if (!body.ok) return body.reply;
  const issues = new Issues();
  const requestId = requestIdOf(body.value, 0, issues);
  const input = validateContact(body.value, 'update', ctx.store, issues, '', { existingId: id });
  if (issues.errors.length > 0) {
    return validationReply([{ request_id: requestId, errors: issues.errors }]);
  }
  ctx.emit([ctx.store.updateContact(contact, input, req.userId)]);
  return halReply({
    id: contact.id,
    updated_at: contact.updated_at,
    _links: { self: href(ctx, `/api/v4/contacts/${contact.id}`) },
  });
}
