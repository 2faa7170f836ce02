/** `GET /account`, `GET /users` and `GET /users/{id}`. */
import { USERS, type UserDef } from '../fixtures';
import { halReply, noContentReply, paramList, type Reply } from '../http';
import { href, page, type ApiContext, type ApiRequest, type Register } from './common';

export function registerAccountRoutes(r: Register, ctx: ApiContext): void {
  r('GET', '/account', (q) => account(ctx, q));
  r('GET', '/users', (q) => users(ctx, q));
  r('GET', '/users/(\\d+)', (_q, m) => user(ctx, Number(m[1])));
}

/** The offset of a zone at this moment, as `+03:00`. */
export function zoneOffset(timeZone: string, at = new Date()): string {
  const part = new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'longOffset' })
    .formatToParts(at)
    .find((p) => p.type === 'timeZoneName')?.value;
  const offset = part?.replace('GMT', '') ?? '';
  return offset === '' ? '+00:00' : offset;
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
      timezone: ctx.settings.timezone,
      timezone_offset: zoneOffset(ctx.settings.timezone),
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

/** A user as amoCRM lists it; `rights` holds only the keys [§14.4] names plus `is_admin` (assumed). */
function userRead(ctx: ApiContext, u: UserDef): object {
  return {
    id: u.id,
    name: u.name,
    email: u.email,
    lang: 'ru',
    rights: {
      is_admin: u.admin,
      is_free: false,
      is_active: u.active,
      group_id: null,
      role_id: null,
    },
    _links: { self: href(ctx, `/api/v4/users/${u.id}`) },
  };
}

function users(ctx: ApiContext, req: ApiRequest): Reply {
  return page(
    ctx,
    req,
    'users',
    USERS.map((u) => userRead(ctx, u)),
  );
}

function user(ctx: ApiContext, id: number): Reply {
  const u = USERS.find((x) => x.id === id);
  return u ? halReply(userRead(ctx, u)) : noContentReply();
}
