import { Injectable, Logger } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { DataSource } from 'typeorm';
import { AppConfig } from '../../config/configuration';
import { normalizeEmail, normalizePhone } from '../../leads/contact-normalization';
import { AmoCrmApiService } from '../api/amo-crm-api.service';
import { AmoComplexLeadItem, AmoContactRead } from '../api/amo-crm.types';
import { AmoCrmError } from '../client/amo-crm.error';
import { AmoSyncStateStore } from '../../database/amo-sync-state.repository';

const WATERMARK_KEY = 'contacts_pulled_until';

/**
 * A local mirror of amoCRM contacts' normalized phones and e-mails. It is brought up to date
 * with one incremental pull (`filter[updated_at][from]`) before a batch of creates, instead of
 * a full-text search per lead, and every contact we create is added to it at once. amoCRM's
 * `query` matches strings as stored ("8 912…" vs "+7912…"), so values are normalized here the
 * same way the leads' are before comparing.
 */
@Injectable()
export class ContactDirectoryService {
  private readonly logger = new Logger(ContactDirectoryService.name);
  private pulledAt = 0;
  private readonly region: string;
  /** A pull this recent is current enough; a contact typed in by a manager within it may be missed. */
  private readonly freshMs: number;

  constructor(
    private readonly dataSource: DataSource,
    private readonly api: AmoCrmApiService,
    private readonly state: AmoSyncStateStore,
    config: ConfigService<AppConfig, true>,
  ) {
    this.region = config.get('app', { infer: true }).phoneDefaultRegion;
    this.freshMs = config.get('sync', { infer: true }).contactsFreshMs;
  }

  async refresh(): Promise<void> {
    if (Date.now() - this.pulledAt < this.freshMs) return;
    const from = Number((await this.state.get(WATERMARK_KEY)) ?? 0);
    const contacts = await this.api.contactsUpdatedSince(from);
    let until = from;
    const rows: { kind: 'PHONE' | 'EMAIL'; value: string; contactId: number }[] = [];
    for (const c of contacts) {
      for (const [kind, value] of this.valuesOf(c)) rows.push({ kind, value, contactId: c.id });
      until = Math.max(until, c.updated_at);
    }
    // one value can appear twice in one pull; the database keeps the first
    const seen = new Set<string>();
    await this.insert(
      rows.filter((r) => !seen.has(`${r.kind}:${r.value}`) && seen.add(`${r.kind}:${r.value}`)),
    );
    await this.state.set(WATERMARK_KEY, String(until));
    this.pulledAt = Date.now();
  }

  /** For each lead, the known amoCRM contact with its phone (preferred) or e-mail, in one query. */
  async findMany(
    leads: { id: string; phone: string | null; email: string | null }[],
  ): Promise<Map<string, number>> {
    const found = new Map<string, number>();
    if (!leads.length) return found;
    const rows: { lead_id: string; amo_contact_id: string }[] = await this.dataSource.query(
      `SELECT DISTINCT ON (l.id) l.id AS lead_id, c.amo_contact_id
         FROM unnest($1::uuid[], $2::varchar[], $3::varchar[]) AS l(id, phone, email)
         JOIN amo_contacts c
           ON (c.kind = 'PHONE' AND c.value = l.phone) OR (c.kind = 'EMAIL' AND c.value = l.email)
        ORDER BY l.id, c.kind DESC`,
      [leads.map((l) => l.id), leads.map((l) => l.phone), leads.map((l) => l.email)],
    );
    for (const r of rows) found.set(r.lead_id, Number(r.amo_contact_id));
    return found;
  }

  async rememberMany(
    contacts: { contactId: number; phone: string | null; email: string | null }[],
  ): Promise<void> {
    const rows = contacts.flatMap(({ contactId, phone, email }) => [
      ...(phone ? [{ kind: 'PHONE' as const, value: phone, contactId }] : []),
      ...(email ? [{ kind: 'EMAIL' as const, value: email, contactId }] : []),
    ]);
    await this.insert(rows);
  }

  /**
   * A complex create refused because a contact we named by id no longer exists (a manager
   * deleted it, or merged it into another): those contacts leave the directory and the leads
   * waiting to be created, so the next attempt finds the surviving contact or creates one.
   * False when the refusal is about something else.
   */
  async forgetRefused(
    err: unknown,
    chunk: { lead: { id: string }; item: AmoComplexLeadItem }[],
  ): Promise<boolean> {
    if (!(err instanceof AmoCrmError) || err.kind !== 'permanent') return false;
    const gone = err.validationErrors.filter(
      (v) => v.code === 'NotFound' && /^_embedded\.contacts\.\d+\.id$/.test(v.path),
    );
    if (!gone.length || gone.length !== err.validationErrors.length) return false;
    const refused = new Set(gone.map((v) => v.requestId));
    const ids = chunk
      .filter((c) => refused.has(c.item.request_id))
      .flatMap((c) => c.item._embedded.contacts.flatMap((x) => ('id' in x ? [x.id] : [])));
    if (!ids.length) return false;
    await this.dataSource.transaction(async (em) => {
      await em.query(`DELETE FROM amo_contacts WHERE amo_contact_id = ANY($1::bigint[])`, [ids]);
      await em.query(
        `UPDATE leads SET amo_contact_id = NULL
          WHERE amo_contact_id = ANY($1::bigint[]) AND amo_lead_id IS NULL`,
        [ids],
      );
    });
    // the merge winner got the loser's phones: the next pull must see it again
    this.pulledAt = 0;
    this.logger.warn(
      `amoCRM no longer has contact(s) ${ids.join(', ')} (deleted or merged); dropped from the directory, the create goes again`,
    );
    return true;
  }

  /** The first contact seen with a value keeps it: amoCRM may hold older duplicates. */
  private async insert(
    rows: { kind: 'PHONE' | 'EMAIL'; value: string; contactId: number }[],
  ): Promise<void> {
    if (!rows.length) return;
    await this.dataSource.query(
      `INSERT INTO amo_contacts (kind, value, amo_contact_id)
       SELECT * FROM unnest($1::varchar[], $2::varchar[], $3::bigint[])
       ON CONFLICT (kind, value) DO NOTHING`,
      [rows.map((r) => r.kind), rows.map((r) => r.value), rows.map((r) => r.contactId)],
    );
  }

  private valuesOf(c: AmoContactRead): ['PHONE' | 'EMAIL', string][] {
    const out: ['PHONE' | 'EMAIL', string][] = [];
    for (const f of c.custom_fields_values ?? []) {
      for (const v of f.values ?? []) {
        if (typeof v.value !== 'string') continue;
        if (f.field_code === 'PHONE') {
          const phone = normalizePhone(v.value, this.region);
          if (phone) out.push(['PHONE', phone]);
        } else if (f.field_code === 'EMAIL' && v.value.includes('@')) {
          out.push(['EMAIL', normalizeEmail(v.value).slice(0, 254)]);
        }
      }
    }
    return out;
  }
}
