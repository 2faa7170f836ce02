/**
 * Incoming leads ("Неразобранное", amocrm-api.md §9 and §14.1): form entries waiting for a
 * manager. An entry holds one lead, in its pipeline's incoming stage (type 1), and at most one
 * contact. Accepting moves the lead to a regular stage; declining deletes it. Both end the
 * entry, which then leaves the unsorted list (assumed: amoCRM lists only waiting entries).
 *
 * While an entry waits, notes on its lead and stage changes through the API are refused
 * (§14.1 says notes cannot be attached; the refusal of stage changes and the error shapes are
 * assumed).
 */
import { randomBytes } from 'node:crypto';
import { findPipeline, firstRegularStatus, SANDBOX_FIXTURES, type FieldDef } from './fixtures';
import {
  halReply,
  isRecord,
  noContentReply,
  paramChild,
  paramList,
  paramString,
  problemReply,
  type Reply,
} from './http';
import { SandboxError } from './manager-actions';
import { nowSec, type Change, type SandboxStore } from './store';
import {
  Issues,
  checkKeys,
  parseBatch,
  readInt,
  requestIdOf,
  validationReply,
} from './validation/common';
import { validateUnsortedForm, type FormsMetadata } from './validation/unsorted';

/** Entries per request: amoCRM documents none for unsorted; the complex limit is assumed. */
export const MAX_UNSORTED_BATCH = 50;

export interface UnsortedRecord {
  uid: string;
  source_uid: string;
  source_name: string;
  category: 'forms';
  pipeline_id: number;
  created_at: number;
  metadata: FormsMetadata;
  account_id: number;
  leadId: number;
  contactId: number | null;
  request_id: string;
}

/** What the sandbox's webhook sender turns into `unsorted[add|delete]` items. */
export type UnsortedChange =
  | { kind: 'unsorted_added'; entry: UnsortedRecord }
  | {
      kind: 'unsorted_deleted';
      entry: UnsortedRecord;
      action: 'accept' | 'decline';
      statusId?: number;
    };

export interface IncomingDeskDeps {
  store: SandboxStore;
  accountId: number;
  baseUrl: string;
  leadFields: () => FieldDef[];
  emit: (changes: Change[]) => void;
  emitUnsorted: (change: UnsortedChange) => void;
  deleteLead: (id: number) => void;
}

export class IncomingDesk {
  /** Waiting entries by uid. */
  readonly entries = new Map<string, UnsortedRecord>();

  constructor(private readonly d: IncomingDeskDeps) {}

  /** The waiting entry holding this lead, if any. */
  entryOfLead(leadId: number): UnsortedRecord | undefined {
    for (const e of this.entries.values()) if (e.leadId === leadId) return e;
    return undefined;
  }

  list(): UnsortedRecord[] {
    return [...this.entries.values()].map((e) => structuredClone(e));
  }

  private read(e: UnsortedRecord): object {
    return {
      uid: e.uid,
      source_uid: e.source_uid,
      source_name: e.source_name,
      category: e.category,
      pipeline_id: e.pipeline_id,
      created_at: e.created_at,
      metadata: { ...e.metadata },
      account_id: e.account_id,
      _links: { self: { href: `${this.d.baseUrl}/api/v4/leads/unsorted/${e.uid}` } },
      _embedded: {
        leads: [{ id: e.leadId }],
        contacts: e.contactId !== null ? [{ id: e.contactId }] : [],
        companies: [],
      },
    };
  }

  addForms(body: string, userId: number): Reply {
    const parsed = parseBatch(body, MAX_UNSORTED_BATCH, `Limit ${MAX_UNSORTED_BATCH} per request`);
    if (!parsed.ok) {
      // A `{"data": [...]}` wrapper is refused as a missing field (§14.1).
      try {
        if (isRecord(JSON.parse(body))) {
          return validationReply([
            {
              request_id: '0',
              errors: [{ code: 'FieldMissing', path: '', detail: 'This field is missing.' }],
            },
          ]);
        }
      } catch {
        // not JSON at all: parseBatch's answer stands
      }
      return parsed.reply;
    }
    const failed: { request_id: string; errors: Issues['errors'] }[] = [];
    const values = parsed.value.map((raw, i) => {
      const issues = new Issues();
      const requestId = requestIdOf(raw, i, issues);
      const value = validateUnsortedForm(raw, this.d.store, issues, this.d.leadFields());
      if (issues.errors.length) failed.push({ request_id: requestId, errors: issues.errors });
      return { value, requestId };
    });
    if (failed.length) return validationReply(failed);
    const changes: Change[] = [];
    const added: UnsortedRecord[] = [];
    for (const { value, requestId } of values) {
      if (!value) continue;
      const pipeline = findPipeline(value.pipelineId);
      const incoming = pipeline?.statuses.find((s) => s.type === 1);
      if (!pipeline || !incoming) continue;
      let contactId: number | null = null;
      if (value.contact) {
        const change = this.d.store.addContact(value.contact, userId);
        changes.push(change);
        if (change.kind === 'contact_added') contactId = change.contact.id;
      }
      const change = this.d.store.addLead(
        {
          ...value.lead,
          statusId: incoming.id,
          pipelineId: pipeline.id,
          contacts: contactId !== null ? [{ id: contactId, isMain: true }] : undefined,
        },
        userId,
        { statusId: incoming.id, pipelineId: pipeline.id },
      );
      changes.push(change);
      const leadId = change.kind === 'lead_added' ? change.lead.id : 0;
      const entry: UnsortedRecord = {
        uid: randomBytes(20).toString('hex'),
        source_uid: value.sourceUid,
        source_name: value.sourceName,
        category: 'forms',
        pipeline_id: pipeline.id,
        created_at: value.createdAt ?? nowSec(),
        metadata: value.metadata,
        account_id: this.d.accountId,
        leadId,
        contactId,
        request_id: requestId,
      };
      this.entries.set(entry.uid, entry);
      added.push(entry);
    }
    // Assumed: an incoming entry fires `unsorted[add]` only; `leads[add]` waits for acceptance.
    this.d.emit(changes.filter((c) => c.kind !== 'lead_added'));
    for (const entry of added) this.d.emitUnsorted({ kind: 'unsorted_added', entry });
    return halReply({
      _total_items: added.length,
      _links: { self: { href: `${this.d.baseUrl}/api/v4/leads/unsorted/forms` } },
      _embedded: {
        unsorted: added.map((e) => ({
          uid: e.uid,
          account_id: e.account_id,
          request_id: e.request_id,
          _links: { self: { href: `${this.d.baseUrl}/api/v4/leads/unsorted/${e.uid}` } },
          _embedded: {
            leads: [{ id: e.leadId }],
            contacts: e.contactId !== null ? [{ id: e.contactId }] : [],
            companies: [],
          },
        })),
      },
    });
  }

  /** `filter[uid]` (one or many), `filter[category][]`, `filter[pipeline_id]`, `order[created_at]`, paging. */
  listReply(params: Parameters<typeof paramChild>[0], selfHref: string): Reply {
    const filter = paramChild(params, 'filter');
    const uids = paramList(paramChild(filter, 'uid'));
    const categories = paramList(paramChild(filter, 'category'));
    const pipeline = paramString(paramChild(filter, 'pipeline_id'));
    let rows = [...this.entries.values()].filter(
      (e) =>
        (uids.length === 0 || uids.includes(e.uid)) &&
        (categories.length === 0 || categories.includes(e.category)) &&
        (pipeline === undefined || String(e.pipeline_id) === pipeline),
    );
    const order = paramString(paramChild(paramChild(params, 'order'), 'created_at'));
    if (order === 'desc') rows = rows.reverse();
    const limitRaw = paramString(paramChild(params, 'limit'));
    const pageRaw = paramString(paramChild(params, 'page'));
    const limit = limitRaw ? Number(limitRaw) : 50;
    const page = pageRaw ? Number(pageRaw) : 1;
    if (!Number.isInteger(limit) || limit < 1)
      return problemReply(400, 'limit must be a positive integer');
    if (limit > 250) return problemReply(422, 'Limit 250 per page');
    if (!Number.isInteger(page) || page < 1)
      return problemReply(400, 'page must be a positive integer');
    const slice = rows.slice((page - 1) * limit, page * limit);
    if (slice.length === 0) return noContentReply();
    const links: Record<string, { href: string }> = { self: { href: selfHref } };
    if (rows.length > page * limit) {
      const next = new URL(selfHref);
      next.searchParams.set('page', String(page + 1));
      next.searchParams.set('limit', String(limit));
      links.next = { href: next.toString() };
    }
    return halReply({
      _total_items: rows.length,
      _page: page,
      _links: links,
      _embedded: { unsorted: slice.map((e) => this.read(e)) },
    });
  }

  private entry(uid: string): UnsortedRecord {
    const e = this.entries.get(uid);
    if (!e) throw new SandboxError(404, `no waiting incoming lead ${uid}`);
    return e;
  }

  /** Accept: the lead goes to `statusId` (a regular stage of the entry's pipeline) or the first one. */
  accept(uid: string, opts: { statusId?: number; userId?: number } = {}): object {
    const e = this.entry(uid);
    const pipeline = findPipeline(e.pipeline_id);
    if (!pipeline) throw new SandboxError(404, `pipeline ${e.pipeline_id} not found`);
    const statusId = opts.statusId ?? firstRegularStatus(pipeline).id;
    const stage = pipeline.statuses.find((s) => s.id === statusId);
    if (!stage || stage.type === 1) {
      throw new SandboxError(
        400,
        `status ${statusId} is not a regular stage of pipeline ${pipeline.id}`,
      );
    }
    const lead = this.d.store.leads.get(e.leadId);
    if (!lead) throw new SandboxError(404, `lead ${e.leadId} of incoming lead ${uid} is gone`);
    this.entries.delete(uid);
    const user = opts.userId ?? SANDBOX_FIXTURES.users.manager;
    this.d.emit([this.d.store.updateLead(lead, { statusId, pipelineId: pipeline.id }, user)]);
    this.d.emitUnsorted({ kind: 'unsorted_deleted', entry: e, action: 'accept', statusId });
    return this.result(e, 'accept', statusId);
  }

  /** Decline: the entry ends and its lead is deleted (assumed: not kept as a lost lead). */
  decline(uid: string): object {
    const e = this.entry(uid);
    this.entries.delete(uid);
    if (this.d.store.leads.has(e.leadId)) this.d.deleteLead(e.leadId);
    this.d.emitUnsorted({ kind: 'unsorted_deleted', entry: e, action: 'decline' });
    return this.result(e, 'decline');
  }

  /** The accept/decline answer (shape assumed from the official library's models). */
  private result(e: UnsortedRecord, action: 'accept' | 'decline', statusId?: number): object {
    return {
      uid: e.uid,
      account_id: e.account_id,
      ...(action === 'accept' ? { status_id: statusId } : {}),
      _links: { self: { href: `${this.d.baseUrl}/api/v4/leads/unsorted/${e.uid}` } },
      _embedded: {
        leads: [{ id: e.leadId }],
        contacts: e.contactId !== null ? [{ id: e.contactId }] : [],
        companies: [],
      },
    };
  }

  /** The API's accept/decline: body `{user_id?, status_id?}` (decline: `{user_id?}`). */
  apiAction(uid: string, action: 'accept' | 'decline', body: string): Reply {
    const issues = new Issues();
    let raw: unknown = {};
    if (body.trim() !== '') {
      try {
        raw = JSON.parse(body);
      } catch {
        return problemReply(400, 'Request body is not valid JSON');
      }
    }
    if (!isRecord(raw)) return problemReply(400, 'Request body must be an object');
    checkKeys(raw, action === 'accept' ? ['user_id', 'status_id'] : ['user_id'], '', issues);
    const userId = readInt(raw, 'user_id', '', issues) ?? undefined;
    const statusId = readInt(raw, 'status_id', '', issues) ?? undefined;
    if (issues.errors.length) return validationReply([{ request_id: '0', errors: issues.errors }]);
    if (!this.entries.has(uid)) return problemReply(404, 'Entity not found');
    try {
      return halReply(
        action === 'accept' ? this.accept(uid, { statusId, userId }) : this.decline(uid),
      );
    } catch (err) {
      if (err instanceof SandboxError) {
        return validationReply([
          {
            request_id: '0',
            errors: [{ code: 'NotSupportedChoice', path: 'status_id', detail: err.message }],
          },
        ]);
      }
      throw err;
    }
  }
}
