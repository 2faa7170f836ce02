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
import { contentHash, dedupeKey, itemId, itemTimestamp, storableItem } from './webhook-item';
import { InboxRow, keyRepeats } from './inbox-repeats';

/** Lead actions the worker applies; every other entity/action is stored as IGNORED. */
const APPLIED_LEAD_ACTIONS = new Set(['add', 'update', 'status', 'delete', 'restore']);

export type { InboxRow };

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
  const stored = storableItem(item);
  return {
    dedupeKey: dedupeKey(accountId, entity, action, stored),
    contentHash: contentHash(entity, action, stored),
    entity,
    action,
    amoId: itemId(stored),
    amoUpdatedAt: itemTimestamp(stored),
    item: stored,
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
   * and amoCRM retries the whole body); a repeated delivery is skipped (see inbox-repeats.ts).
   * The body takes one number from a sequence and its items are ordered after it, amoCRM's
   * time first and items without one last, so the worker applies them in arrival order.
   */
  async store(rows: InboxRow[], em: EntityManager = this.dataSource.manager): Promise<number> {
    if (!rows.length) return 0;
    const late = Number.MAX_SAFE_INTEGER;
    const ordered = rows
      .map((row, i) => ({ row, i }))
      .sort((a, b) => (a.row.amoUpdatedAt ?? late) - (b.row.amoUpdatedAt ?? late) || a.i - b.i)
      .map((x) => x.row);
    const fresh = await keyRepeats(em, this.settings.accountId, ordered);
    if (!fresh.length) return 0;
    const res: unknown = await em.query(
      `WITH body AS (SELECT nextval('amo_webhook_bodies_seq') * 100000 AS base)
       INSERT INTO amo_webhook_events
         (dedupe_key, content_hash, entity, action, amo_id, amo_updated_at, item, state, outcome,
          processed_at, apply_order)
       SELECT r->>'dedupeKey', r->>'contentHash', r->>'entity', r->>'action',
              (r->>'amoId')::bigint, (r->>'amoUpdatedAt')::bigint, r->'item', r->>'state',
              r->>'outcome', CASE WHEN r->>'state' = 'IGNORED' THEN now() END, body.base + n
         FROM body, jsonb_array_elements($1::jsonb) WITH ORDINALITY AS x(r, n)
        ORDER BY n
       ON CONFLICT (dedupe_key) DO NOTHING
       RETURNING id`,
      [JSON.stringify(fresh)],
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
