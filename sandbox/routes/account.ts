/** `GET /account` and `GET /users`. */
import { USERS } from '../fixtures';
import { halReply, type Reply } from '../http';
import { href, type ApiContext, type Register } from './common';

export function registerAccountRoutes(r: Register, ctx: ApiContext): void {
  r('GET', '/account', () => account(ctx));
  r('GET', '/users', () => users(ctx));
}

function account(ctx: ApiContext): Reply {
  const created = 1700000000;
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
    _links: { self: href(ctx, '/api/v4/account') },
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
