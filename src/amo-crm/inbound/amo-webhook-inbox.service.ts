import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { DataSource, EntityManager } from 'typeorm';
import { ForbiddenError } from '../../common/domain-errors';
import { isOwnSubdomain } from '../../config/amo-hosts';
import { AmoSettings, AppConfig } from '../../config/configuration';
import { returningRows } from '../../database/returning-rows';
import { AmoNotConfiguredError } from '../auth/amo-connection.errors';
import { WebhookEventState } from './amo-webhook-event.entity';
import { AmoWebhookWorker } from './amo-webhook.worker';
import { ParsedWebhookBody, WebhookItem } from './webhook-body.parser';
import { dedupeKey, itemId, itemTimestamp } from './webhook-item';

/** Lead actions the worker applies; every other entity/action is stored as IGNORED. */
const APPLIED_LEAD_ACTIONS = new Set(['add', 'update', 'status', 'delete', 'restore']);

export interface InboxRow {
  dedupeKey: string;
  entity: string;
  action: string;
  amoId: number | null;
  amoUpdatedAt: number | null;
  item: WebhookItem;
  state: WebhookEventState.PENDING | WebhookEventState.IGNORED;
  outcome: string | null;
}

export interface WebhookReceipt {
  received: number;
  stored: number;
}

export function inboxRow(
  accountId: number,
  entity: string,
  action: string,
  item: WebhookItem,
  applied: boolean,
): InboxRow {
  return {
    dedupeKey: dedupeKey(accountId, entity, action, item),
    entity,
    action,
    amoId: itemId(item),
    amoUpdatedAt: itemTimestamp(item),
    item,
    state: applied ? WebhookEventState.PENDING : WebhookEventState.IGNORED,
    outcome: applied ? null : `${entity}.${action} is not synced`,
  };
}

/**
 * The receiving half of inbound sync: checks the account and stores each item in the inbox.
 * Nothing here talks to amoCRM or touches leads, so the answer goes back within amoCRM's
 * 2-second window; the worker applies the rows after commit.
 */
@Injectable()
export class AmoWebhookInboxService {
  private readonly settings: AmoSettings;

  constructor(
    private readonly dataSource: DataSource,
    private readonly worker: AmoWebhookWorker,
    config: ConfigService<AppConfig, true>,
  ) {
    this.settings = config.get('amo', { infer: true });
  }

  async receive(body: ParsedWebhookBody): Promise<WebhookReceipt> {
    if (!this.settings.configured || !this.settings.webhookSecret)
      throw new AmoNotConfiguredError();
    this.checkAccount(body.account);
    const rows = body.groups.flatMap((g) =>
      g.items.map((item) =>
        inboxRow(
          this.settings.accountId,
          g.entity,
          g.action,
          item,
          g.entity === 'leads' && APPLIED_LEAD_ACTIONS.has(g.action),
        ),
      ),
    );
    const stored = await this.store(rows);
    if (stored) this.worker.wake();
    return { received: rows.length, stored };
  }

  /**
   * One INSERT statement, so all items of a body are saved or none are (a failure answers 5xx
   * and amoCRM retries the whole body); a row already stored under the same key is skipped.
   */
  async store(rows: InboxRow[], em: EntityManager = this.dataSource.manager): Promise<number> {
    if (!rows.length) return 0;
    const res: unknown = await em.query(
      `INSERT INTO amo_webhook_events
         (dedupe_key, entity, action, amo_id, amo_updated_at, item, state, outcome, processed_at)
       SELECT r->>'dedupeKey', r->>'entity', r->>'action', (r->>'amoId')::bigint,
              (r->>'amoUpdatedAt')::bigint, r->'item', r->>'state', r->>'outcome',
              CASE WHEN r->>'state' = 'IGNORED' THEN now() END
         FROM jsonb_array_elements($1::jsonb) WITH ORDINALITY AS x(r, n)
        ORDER BY n
       ON CONFLICT (dedupe_key) DO NOTHING
       RETURNING id`,
      [JSON.stringify(rows)],
    );
    return returningRows(res).length;
  }

  /**
   * Old payloads carry only the subdomain; then it must be the one of AMO_DOMAIN, bare or on
   * any amoCRM or Kommo host (amo-hosts.ts).
   */
  private checkAccount(account: ParsedWebhookBody['account']): void {
    if (account.id !== null) {
      if (account.id !== this.settings.accountId) {
        throw new ForbiddenError(`Webhook is for amoCRM account ${account.id}, not ours`);
      }
      return;
    }
    if (!isOwnSubdomain(account.subdomain, this.settings.domain)) {
      throw new ForbiddenError('Webhook is for another amoCRM account');
    }
  }
}
