import { api, MappingView } from '../api';
import { empty, h, table, td } from '../dom';
import { dataRegion, PageView } from './page';

/** Our statuses and fields beside amoCRM's names, and what the live check found wrong. */
export function mappingPage(): PageView {
  const draw = (m: MappingView): Node[] => [
    h(
      'section',
      { class: 'card', 'aria-labelledby': 'pr-h' },
      h('h2', { id: 'pr-h' }, `Problems (${m.problems.length})`),
      m.problems.length
        ? h(
            'ul',
            { class: 'problems' },
            m.problems.map((p) => h('li', { class: 'error-text' }, p)),
          )
        : empty('No problems: every mapped stage and field exists in the account.'),
    ),
    h(
      'section',
      { class: 'card', 'aria-labelledby': 'st-h' },
      h('h2', { id: 'st-h' }, 'Statuses → pipeline stages'),
      table(
        ['Our status', 'Pipeline', 'Stage'],
        m.statuses.map((s) =>
          h(
            'tr',
            {},
            td('Our status', s.status),
            td('Pipeline', s.pipelineName ? `${s.pipelineName} (${s.pipelineId})` : '—'),
            td(
              'Stage',
              s.statusName
                ? `${s.statusName} (${s.statusId})`
                : h('span', { class: 'error-text' }, 'not mapped: not pushed'),
            ),
          ),
        ),
      ),
    ),
    h(
      'section',
      { class: 'card', 'aria-labelledby': 'fl-h' },
      h('h2', { id: 'fl-h' }, 'Fields → amoCRM custom fields'),
      table(
        ['Our field', 'amoCRM field', 'Options'],
        m.fields.map((f) =>
          h(
            'tr',
            {},
            td('Our field', f.field),
            td(
              'amoCRM field',
              f.fieldId === null
                ? h('span', { class: 'muted' }, 'not mapped')
                : `${f.fieldName ?? 'unknown'} (${f.fieldId})`,
            ),
            td(
              'Options',
              f.options.length
                ? h(
                    'ul',
                    { class: 'plain' },
                    f.options.map((o) =>
                      h('li', {}, `${o.value} → ${o.enumName ?? 'unknown'} (${o.enumId})`),
                    ),
                  )
                : '—',
            ),
          ),
        ),
      ),
      h('p', {}, 'Tags on new leads: ', m.tags.length ? m.tags.join(', ') : 'none'),
    ),
  ];
  const region = dataRegion('the mapping', () => api.mapping(), draw);
  return {
    element: h(
      'div',
      {},
      h('h1', {}, 'Mapping'),
      h('p', { class: 'hint' }, 'Checked against the live account each time this page opens.'),
      region.element,
    ),
    refresh: region.refresh,
    auto: false,
  };
}
