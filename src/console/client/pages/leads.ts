import { api, Lead, LEAD_STATUSES, Page, SYNC_STATES, UnmappedStage } from '../api';
import { badge, empty, formatTime, h, table, td } from '../dom';
import { dataRegion, PageView } from './page';

const SYNC_TONE: Record<Lead['sync']['state'], string> = {
  NOT_CONFIGURED: 'muted',
  PENDING: 'info',
  SYNCED: 'ok',
  FAILED: 'warn',
  DEAD: 'bad',
};

function describeStage(stage: UnmappedStage): string {
  const pipeline =
    stage.pipelineId === null ? 'an unknown pipeline' : `pipeline ${stage.pipelineId}`;
  return `stage ${stage.statusId} of ${pipeline} is not mapped (since ${formatTime(stage.since)}); the local status is kept`;
}

function select(
  id: string,
  label: string,
  values: readonly string[],
  onchange: (v: string) => void,
) {
  const el = h(
    'select',
    { id, onchange: (ev: Event) => onchange((ev.target as HTMLSelectElement).value) },
    h('option', { value: '' }, 'any'),
    values.map((v) => h('option', { value: v }, v)),
  );
  return h('label', { class: 'filter', for: id }, label, el);
}

/** Paged leads, newest first, filtered by sync state and status, linked to amoCRM. */
export function leadsPage(): PageView {
  const query = { page: 1, status: '', syncState: '' };
  let domain: string | null = null;
  let titles: Map<string, string> | null = null;
  /** Ids looked up once already (beyond the first 100 properties they stay unnamed). */
  const tried = new Set<string>();

  const row = (l: Lead): HTMLElement => {
    const link =
      l.amoLeadId && domain
        ? h(
            'a',
            {
              href: `https://${domain}/leads/detail/${l.amoLeadId}`,
              target: '_blank',
              rel: 'noopener noreferrer',
            },
            `#${l.amoLeadId}`,
          )
        : '—';
    const unmapped = l.unmappedStage
      ? h(
          'p',
          { class: 'warn-text', 'data-unmapped': '' },
          `⚠ amoCRM ${describeStage(l.unmappedStage)}`,
        )
      : null;
    const deleted = l.amoDeletedAt
      ? h('p', { class: 'warn-text' }, `⚠ deleted in amoCRM on ${formatTime(l.amoDeletedAt)}`)
      : null;
    return h(
      'tr',
      { 'data-lead': String(l.number) },
      td('Number', String(l.number)),
      td('Guest', l.guestName),
      td(
        'Property',
        l.propertyId
          ? (titles?.get(l.propertyId) ?? 'unknown property')
          : l.source === 'AMO_CRM'
            ? 'from amoCRM'
            : '—',
      ),
      td('Status', l.status),
      td('Sync', badge(l.sync.state, SYNC_TONE[l.sync.state])),
      td(
        'Last error',
        l.sync.error ? h('span', { class: 'error-text' }, l.sync.error) : '—',
        unmapped,
        deleted,
      ),
      td('amoCRM', link),
      td('Created', formatTime(l.createdAt)),
    );
  };

  const draw = (p: Page<Lead>): Node[] => {
    const pages = Math.max(1, Math.ceil(p.total / p.limit));
    if (p.items.length === 0) {
      const filtered = query.status || query.syncState;
      return [
        empty(
          filtered
            ? 'No leads match these filters.'
            : 'No leads yet. They appear here as soon as the site posts one.',
        ),
      ];
    }
    const pager = h(
      'div',
      { class: 'pager' },
      h(
        'button',
        {
          type: 'button',
          class: 'secondary',
          disabled: p.page <= 1,
          onclick: () => go(p.page - 1),
        },
        '← Newer',
      ),
      h('span', {}, `Page ${p.page} of ${pages} · ${p.total} leads`),
      h(
        'button',
        {
          type: 'button',
          class: 'secondary',
          disabled: p.page >= pages,
          onclick: () => go(p.page + 1),
        },
        'Older →',
      ),
    );
    return [
      table(
        ['#', 'Guest', 'Property', 'Status', 'Sync', 'Last error', 'amoCRM', 'Created'],
        p.items.map(row),
      ),
      pager,
    ];
  };

  const region = dataRegion(
    'the leads',
    async () => {
      const leads = await api.leads(query);
      // properties and the account's domain are read once, and again when a lead names a
      // property created since
      const known = titles;
      const missing = leads.items.filter(
        (l) => l.propertyId && !known?.has(l.propertyId) && !tried.has(l.propertyId),
      );
      if (known === null || missing.length > 0) {
        for (const l of missing) tried.add(l.propertyId!);
        const [props, conn] = await Promise.all([api.properties(), api.connection()]);
        titles = new Map(props.items.map((x) => [x.id, x.title]));
        domain = conn.domain;
      }
      return leads;
    },
    draw,
  );
  function go(page: number): void {
    query.page = page;
    void region.refresh();
  }
  const filters = h(
    'div',
    { class: 'filters' },
    select('f-sync', 'Sync state', SYNC_STATES, (v) => {
      query.syncState = v;
      go(1);
    }),
    select('f-status', 'Status', LEAD_STATUSES, (v) => {
      query.status = v;
      go(1);
    }),
  );
  return {
    element: h('div', {}, h('h1', {}, 'Leads'), filters, region.element),
    refresh: region.refresh,
  };
}
