import { Activity, api, ConnectionDetails } from '../api';
import { badge, formatAge, formatTime, h, tile } from '../dom';
import { dataRegion, PageView } from './page';

const STATE_TEXT: Record<ConnectionDetails['state'], [string, string]> = {
  CONNECTED: ['connected', 'ok'],
  REAUTH_REQUIRED: ['re-authorization required', 'warn'],
  DISCONNECTED: ['disconnected', 'bad'],
  NOT_CONNECTED: ['not connected', 'warn'],
  NOT_CONFIGURED: ['not configured', 'muted'],
};

function row(label: string, value: Node | string): HTMLElement[] {
  return [h('dt', {}, label), h('dd', {}, value)];
}

/** Connection card, outbox and inbox counts; refreshed by the shell every few seconds. */
export function overviewPage(): PageView {
  let confirming = false;
  let note = '';

  const connectionCard = (c: ConnectionDetails, redraw: () => void): HTMLElement => {
    const [text, tone] = STATE_TEXT[c.state];
    if (!c.configured) {
      return h(
        'section',
        { class: 'card', 'aria-labelledby': 'conn-h' },
        h('h2', { id: 'conn-h' }, 'amoCRM connection ', badge(text, tone)),
        h(
          'p',
          {},
          'The integration is not configured: set AMO_DOMAIN, AMO_CLIENT_ID, AMO_CLIENT_SECRET, ' +
            'AMO_REDIRECT_URI, AMO_ACCOUNT_ID and TOKEN_ENCRYPTION_KEY, then restart the backend. ' +
            'Leads are still received meanwhile.',
        ),
      );
    }
    const webhook =
      c.state !== 'CONNECTED'
        ? 'not checked while disconnected'
        : c.webhook.registered
          ? `registered (checked ${formatTime(c.webhook.checkedAt)})`
          : c.webhook.checkedAt
            ? 'not registered'
            : 'not checked yet';
    const actions = h('div', { class: 'actions' });
    const connectLabel = c.state === 'CONNECTED' ? 'Reconnect' : 'Connect amoCRM';
    // a long-lived token is set in the environment: there is no consent flow to start
    if (c.authMode !== 'LONG_LIVED') {
      actions.append(h('a', { class: 'button', href: c.authorizePath }, connectLabel));
    }
    if (c.state === 'CONNECTED' && !confirming) {
      actions.append(
        h(
          'button',
          {
            type: 'button',
            class: 'danger',
            onclick: () => {
              confirming = true;
              redraw();
            },
          },
          'Disconnect…',
        ),
      );
    }
    const confirmBox = confirming
      ? h(
          'div',
          { class: 'notice warn', role: 'alertdialog', 'aria-label': 'Confirm disconnect' },
          h('p', {}, 'Disconnect amoCRM? Sync stops and jobs wait until you connect again.'),
          h(
            'div',
            { class: 'actions' },
            h(
              'button',
              {
                type: 'button',
                class: 'danger',
                onclick: () => {
                  api.disconnect().then(
                    () => {
                      confirming = false;
                      note = 'amoCRM disconnected.';
                      redraw();
                    },
                    (err: unknown) => {
                      confirming = false;
                      note = `Disconnect failed: ${String(err instanceof Error ? err.message : err)}`;
                      redraw();
                    },
                  );
                },
              },
              'Yes, disconnect',
            ),
            h(
              'button',
              {
                type: 'button',
                class: 'secondary',
                onclick: () => {
                  confirming = false;
                  redraw();
                },
              },
              'Cancel',
            ),
          ),
        )
      : null;
    const manual = c.webhook.manual;
    return h(
      'section',
      { class: 'card', 'aria-labelledby': 'conn-h' },
      h('h2', { id: 'conn-h' }, 'amoCRM connection ', badge(text, tone)),
      h(
        'dl',
        { class: 'facts' },
        row(
          'Account',
          c.accountName ? `${c.accountName} (${c.accountId ?? '—'})` : String(c.accountId ?? '—'),
        ),
        row('Domain', c.domain ?? '—'),
        row(
          'Access',
          c.authMode === 'LONG_LIVED'
            ? 'long-lived token (AMO_LONG_LIVED_TOKEN; replace it and restart to reconnect)'
            : 'OAuth (refreshed automatically)',
        ),
        row('Token expires', formatTime(c.tokenExpiresAt)),
        row('Webhook', webhook),
      ),
      c.lastError ? h('p', { class: 'notice bad' }, `Last error: ${c.lastError}`) : null,
      c.tokenExpiryWarning ? h('p', { class: 'notice warn' }, c.tokenExpiryWarning) : null,
      c.paused
        ? h(
            'p',
            { class: 'notice bad', role: 'alert' },
            `Sync paused until ${formatTime(c.paused.until)}: ${c.paused.reason}`,
          )
        : null,
      c.rateLimitedUntil
        ? h(
            'p',
            { class: 'notice warn', role: 'status' },
            `amoCRM rate limit: requests wait until ${formatTime(c.rateLimitedUntil)}`,
          )
        : null,
      manual
        ? h(
            'div',
            { class: 'notice warn', 'data-manual-webhook': '' },
            h('p', {}, manual.reason),
            h('p', {}, 'URL: ', h('code', { class: 'wrap' }, manual.url)),
            h('p', {}, 'Events: ', h('code', {}, manual.events.join(', '))),
          )
        : null,
      note ? h('p', { class: 'notice' }, note) : null,
      confirmBox,
      actions,
    );
  };

  const queues = (a: Activity): HTMLElement[] => [
    h(
      'section',
      { class: 'card', 'aria-labelledby': 'out-h' },
      h('h2', { id: 'out-h' }, 'To amoCRM (outbox)'),
      h(
        'div',
        { class: 'tiles' },
        tile('pending', a.jobs.PENDING),
        tile('running', a.jobs.RUNNING),
        tile('held', a.jobs.HELD, a.jobs.HELD ? 'warn' : ''),
        tile('dead', a.jobs.DEAD, a.jobs.DEAD ? 'bad' : ''),
        tile('done', a.jobs.DONE),
      ),
      h(
        'dl',
        { class: 'facts' },
        row('Oldest pending', formatAge(a.oldestPendingAgeSec)),
        row('Leads synced in the last hour', String(a.leadsSyncedLastHour)),
      ),
      a.jobs.DEAD
        ? h('p', {}, h('a', { href: '#/failures' }, 'See the failures and retry them'))
        : null,
    ),
    h(
      'section',
      { class: 'card', 'aria-labelledby': 'in-h' },
      h('h2', { id: 'in-h' }, 'From amoCRM (webhook inbox)'),
      h(
        'div',
        { class: 'tiles' },
        tile('pending', a.inbox.PENDING),
        tile('running', a.inbox.RUNNING),
        tile('applied', a.inbox.DONE),
        tile('ignored', a.inbox.IGNORED),
        tile('dead', a.inbox.DEAD, a.inbox.DEAD ? 'bad' : ''),
      ),
    ),
  ];

  let last: { c: ConnectionDetails; a: Activity } | null = null;
  const region = dataRegion(
    'the overview',
    async () => {
      const [c, a] = await Promise.all([api.connection(), api.activity()]);
      return { c, a };
    },
    (d) => {
      last = d;
      return [connectionCard(d.c, redraw), ...queues(d.a)];
    },
  );
  function redraw(): void {
    if (last) region.element.replaceChildren(connectionCard(last.c, redraw), ...queues(last.a));
    void region.refresh();
  }
  return {
    element: h('div', {}, h('h1', {}, 'Overview'), region.element),
    refresh: region.refresh,
  };
}
