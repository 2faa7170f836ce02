import { Injectable } from '@nestjs/common';
import { AmoTokenService } from '../auth/amo-token.service';
import { AmoCrmError } from '../client/amo-crm.error';
import { AmoCrmHttpClient, AmoRequest } from '../client/amo-crm-http.client';
import {
  AmoAccount,
  AmoAccountSettings,
  AmoComplexLeadItem,
  AmoComplexResult,
  AmoContactRead,
  AmoCustomField,
  AmoLeadPatch,
  AmoLeadPatched,
  AmoLeadRead,
  AmoUnsortedCreated,
  AmoUnsortedFormItem,
  AmoNoteItem,
  AmoNoteRead,
  AmoPipeline,
  AmoTaskItem,
  AmoTaskRead,
  AmoUser,
  AmoWebhook,
} from './amo-crm.types';

/**
 * amoCRM API v4 as the product uses it: one method per operation, the only place that names
 * its paths. Calls take the token from the token service and, on a 401, force one refresh and
 * retry once; limits, timeouts, 429 and paging are the transport's.
 */
@Injectable()
export class AmoCrmApiService {
  constructor(
    private readonly client: AmoCrmHttpClient,
    private readonly tokens: AmoTokenService,
  ) {}

  async account(): Promise<AmoAccount> {
    const account = await this.call<AmoAccount>({ method: 'GET', path: '/api/v4/account' });
    if (!account) throw new AmoCrmError('transient', 'amoCRM returned no account');
    return account;
  }

  /** The account's time zone and task types. */
  async accountSettings(): Promise<AmoAccountSettings> {
    const account = await this.call<{
      _embedded?: {
        datetime_settings?: { timezone?: string };
        task_types?: { id: number; name: string }[];
      };
    }>({
      method: 'GET',
      path: '/api/v4/account',
      query: { with: 'datetime_settings,task_types' },
    });
    return {
      timezone: account?._embedded?.datetime_settings?.timezone ?? null,
      taskTypes: account?._embedded?.task_types ?? [],
    };
  }

  async users(): Promise<AmoUser[]> {
    return this.getAll<AmoUser>('/api/v4/users', 'users');
  }

  /** Contacts by id (up to 250), e.g. to read who is responsible for them. */
  async contactsByIds(ids: number[]): Promise<AmoContactRead[]> {
    if (!ids.length) return [];
    const page = await this.call<{ _embedded?: { contacts?: AmoContactRead[] } }>({
      method: 'GET',
      path: '/api/v4/contacts',
      query: { 'filter[id][]': ids, limit: 250 },
    });
    return page?._embedded?.contacts ?? [];
  }

  /** Tasks (up to 250 per request); answers the new ids with our request ids. */
  async addTasks(tasks: AmoTaskItem[]): Promise<{ id: number; request_id: string }[]> {
    const answer = await this.call<{
      _embedded?: { tasks?: { id: number; request_id: string }[] };
    }>({ method: 'POST', path: '/api/v4/tasks', body: tasks });
    return answer?._embedded?.tasks ?? [];
  }

  /** Every task on these leads. */
  async tasksOfLeads(amoLeadIds: number[]): Promise<AmoTaskRead[]> {
    if (!amoLeadIds.length) return [];
    return this.getAll<AmoTaskRead>('/api/v4/tasks', 'tasks', {
      'filter[entity_type]': 'leads',
      'filter[entity_id][]': amoLeadIds,
    });
  }

  /** Every note on one lead. */
  async notesOfLead(amoLeadId: number): Promise<AmoNoteRead[]> {
    return this.getAll<AmoNoteRead>(`/api/v4/leads/${amoLeadId}/notes`, 'notes');
  }

  /** The account a freshly exchanged token belongs to, before that token is stored. */
  async accountOf(accessToken: string): Promise<AmoAccount | null> {
    return this.client.request<AmoAccount>({ method: 'GET', path: '/api/v4/account', accessToken });
  }

  /** Leads with their contacts in one request (amoCRM takes up to 50 per request). */
  async createLeadsComplex(items: AmoComplexLeadItem[]): Promise<AmoComplexResult[]> {
    return (
      (await this.call<AmoComplexResult[]>({
        method: 'POST',
        path: '/api/v4/leads/complex',
        body: items,
      })) ?? []
    );
  }

  /** New entries in amoCRM's incoming leads; the answer names each by our `request_id`. */
  async createUnsortedForms(items: AmoUnsortedFormItem[]): Promise<AmoUnsortedCreated[]> {
    const answer = await this.call<{ _embedded?: { unsorted?: AmoUnsortedCreated[] } }>({
      method: 'POST',
      path: '/api/v4/leads/unsorted/forms',
      body: items,
    });
    return answer?._embedded?.unsorted ?? [];
  }

  /** The waiting incoming-leads entries of one pipeline (amoCRM lists no decided ones). */
  async waitingUnsorted(pipelineId: number): Promise<AmoUnsortedCreated[]> {
    return this.getAll<AmoUnsortedCreated>('/api/v4/leads/unsorted', 'unsorted', {
      'filter[pipeline_id]': pipelineId,
      'filter[category][]': 'forms',
    });
  }

  /** Returns amoCRM's `updated_at` of each patched lead. */
  async patchLeads(patches: AmoLeadPatch[]): Promise<AmoLeadPatched[]> {
    const answer = await this.call<{ _embedded?: { leads?: AmoLeadPatched[] } }>({
      method: 'PATCH',
      path: '/api/v4/leads',
      body: patches,
    });
    return answer?._embedded?.leads ?? [];
  }

  /** Notes on leads (up to 250 per request). */
  async addNotes(notes: AmoNoteItem[]): Promise<void> {
    await this.call({ method: 'POST', path: '/api/v4/leads/notes', body: notes });
  }

  /** Every note on the given leads (to see which of ours arrived after a lost answer). */
  async notesOf(amoLeadIds: number[]): Promise<AmoNoteRead[]> {
    if (!amoLeadIds.length) return [];
    return this.getAll<AmoNoteRead>('/api/v4/leads/notes', 'notes', {
      'filter[entity_id][]': amoLeadIds,
    });
  }

  /** A cheap read that tells whether amoCRM answers at all (the outage probe). */
  async probe(): Promise<void> {
    await this.call({ method: 'GET', path: '/api/v4/account' });
  }

  /** One page of amoCRM's full-text lead search, with contacts. */
  async findLeads(query: string): Promise<AmoLeadRead[]> {
    const page = await this.call<{ _embedded?: { leads?: AmoLeadRead[] } }>({
      method: 'GET',
      path: '/api/v4/leads',
      query: { query, with: 'contacts', limit: 50 },
    });
    return page?._embedded?.leads ?? [];
  }

  /** One page (250) of the leads created at or after `from` (unix seconds), with contacts. */
  async leadsCreatedSince(
    from: number,
    page: number,
  ): Promise<{ leads: AmoLeadRead[]; more: boolean }> {
    const answer = await this.call<{
      _embedded?: { leads?: AmoLeadRead[] };
      _links?: { next?: unknown };
    }>({
      method: 'GET',
      path: '/api/v4/leads',
      query: { 'filter[created_at][from]': from, with: 'contacts', limit: 250, page },
    });
    return { leads: answer?._embedded?.leads ?? [], more: !!answer?._links?.next };
  }

  /** Every lead changed at or after `from` (unix seconds), oldest change first. */
  async leadsUpdatedSince(from: number): Promise<AmoLeadRead[]> {
    return this.getAll<AmoLeadRead>('/api/v4/leads', 'leads', {
      'filter[updated_at][from]': from,
      'order[updated_at]': 'asc',
    });
  }

  /** Every contact changed at or after `from` (unix seconds), oldest change first. */
  async contactsUpdatedSince(from: number): Promise<AmoContactRead[]> {
    return this.getAll<AmoContactRead>('/api/v4/contacts', 'contacts', {
      'filter[updated_at][from]': from,
      'order[updated_at]': 'asc',
    });
  }

  async pipelines(): Promise<AmoPipeline[]> {
    return this.getAll<AmoPipeline>('/api/v4/leads/pipelines', 'pipelines');
  }

  async leadFields(): Promise<AmoCustomField[]> {
    return this.getAll<AmoCustomField>('/api/v4/leads/custom_fields', 'custom_fields');
  }

  async webhooks(destination: string): Promise<AmoWebhook[]> {
    const page = await this.call<{ _embedded?: { webhooks?: AmoWebhook[] } }>({
      method: 'GET',
      path: '/api/v4/webhooks',
      query: { 'filter[destination]': destination },
    });
    return page?._embedded?.webhooks ?? [];
  }

  /** Posting a destination again replaces its settings and re-enables it. */
  async subscribeWebhook(destination: string, settings: string[]): Promise<void> {
    await this.call({ method: 'POST', path: '/api/v4/webhooks', body: { destination, settings } });
  }

  private async call<T>(req: Omit<AmoRequest, 'accessToken'>): Promise<T | null> {
    const token = await this.tokens.getAccessToken();
    try {
      return await this.client.request<T>({ ...req, accessToken: token });
    } catch (err) {
      if (!(err instanceof AmoCrmError) || err.kind !== 'unauthorized') throw err;
      const fresh = await this.tokens.forceRefresh(token);
      return this.client.request<T>({ ...req, accessToken: fresh });
    }
  }

  private async getAll<T>(
    path: string,
    key: string,
    query: AmoRequest['query'] = {},
  ): Promise<T[]> {
    const token = await this.tokens.getAccessToken();
    try {
      return await this.client.getAllPages<T>(path, key, query, token);
    } catch (err) {
      if (!(err instanceof AmoCrmError) || err.kind !== 'unauthorized') throw err;
      return this.client.getAllPages<T>(path, key, query, await this.tokens.forceRefresh(token));
    }
  }
}
