/** `GET /account` and `GET /users`. */
import { USERS } from '../fixtures';
import { halReply, paramList, type Reply } from '../http';
import { href, type ApiContext, type ApiRequest, type Register } from './common';

export function registerAccountRoutes(r: Register, ctx: ApiContext): void {
  r('GET', '/account', (q) => account(ctx, q));
  r('GET', '/users', () => users(ctx));
}

/** What each documented `with=` value adds; values not listed here are ignored (assumed). */
function accountExtras(ctx: ApiContext, wanted: string[]): { top: object; embedded: object } {
  const top: Record<string, unknown> = {};
  const embedded: Record<string, unknown> = {};
  if (wanted.includes('amojo_id')) top.amojo_id = `sbx-amojo-${ctx.accountId}`;
  if (wanted.includes('version')) top.version = 1;
  if (wanted.includes('amojo_rights')) {
    embedded.amojo_rights = { can_direct: false, can_create_groups: false };
  }
  if (wanted.includes('users_groups')) embedded.users_groups = [{ id: 0, name: 'Отдел продаж' }];
  if (wanted.includes('task_types')) {
    embedded.task_types = [
      { id: 1, name: 'Связаться', color: null, icon_id: null, code: 'FOLLOW_UP' },
      { id: 2, name: 'Встреча', color: null, icon_id: null, code: 'MEETING' },
    ];
  }
  if (wanted.includes('entity_names')) {
    embedded.entity_names = { leads: { ru: { gender: 'f', plural_form: { dative: 'сделкам' } } } };
  }
  if (wanted.includes('datetime_settings')) {
    // Only `timezone` is documented (amocrm-api.md §14.4); the other keys are assumed.
    embedded.datetime_settings = {
      date_pattern: 'd.m.Y H:i',
      short_date_pattern: 'd.m.Y',
      short_time_pattern: 'H:i',
      date_format: 'd.m.Y',
      time_format: 'H:i:s',
      timezone: 'Europe/Moscow',
      timezone_offset: '+03:00',
    };
  }
  return { top, embedded };
}

function account(ctx: ApiContext, req: ApiRequest): Reply {
  const created = 1700000000;
  const extras = accountExtras(
    ctx,
    paramList(req.params.with).flatMap((w) => w.split(',')),
  );
  const embedded = Object.keys(extras.embedded).length > 0 ? { _embedded: extras.embedded } : {};
  return halReply({
    id: ctx.accountId,
    name: 'Sandbox',
    subdomain: ctx.subdomain,
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
    ...extras.top,
    _links: { self: href(ctx, '/api/v4/account') },
    ...embedded,
  });
}

function users(ctx: ApiContext): Reply {
  return halReply({
    _total_items: USERS.length,
    _page: 1,
    _page_count: 1,
    _links: { self: href(ctx, '/api/v4/users') },
    _embedded: {
      users: USERS.map((u) => ({
        ...u,
        lang: 'ru',
        _links: { self: href(ctx, `/api/v4/users/${u.id}`) },
      })),
    },
  });
}
