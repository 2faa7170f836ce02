import { api, DeadJob, FailedEvent, Failures } from '../api';
import { empty, formatTime, h, table, td } from '../dom';
import { dataRegion, PageView } from './page';

/** Dead jobs and failed inbox events with amoCRM's reasons; retry one or all. */
export function failuresPage(): PageView {
  let note = '';
  const retry = (target: { jobId?: string; eventId?: string }, button: HTMLButtonElement): void => {
    button.disabled = true;
    api.retry(target).then(
      (r) => {
        note = `Queued again: ${r.requeuedJobs} job(s), ${r.requeuedEvents} event(s).`;
        void region.refresh();
      },
      (err: unknown) => {
        note = `Retry failed: ${err instanceof Error ? err.message : String(err)}`;
        button.disabled = false;
        void region.refresh();
      },
    );
  };
  const retryButton = (
    label: string,
    target: { jobId?: string; eventId?: string },
  ): HTMLButtonElement => {
    const b = h('button', { type: 'button', onclick: () => retry(target, b) }, label);
    return b;
  };

  const jobCard = (j: DeadJob): HTMLElement =>
    h(
      'li',
      { class: 'failure', 'data-job': j.jobId },
      h(
        'div',
        { class: 'failure-head' },
        h('strong', {}, j.leadNumber !== null ? `Lead #${j.leadNumber}` : `Lead ${j.leadId}`),
        h(
          'span',
          {},
          [j.guestName ?? '', j.kind, `${j.attempts} attempt(s)`, formatTime(j.at)]
            .filter(Boolean)
            .join(' · '),
        ),
        retryButton('Retry', { jobId: j.jobId }),
      ),
      h('p', { class: 'error-text' }, j.reason ?? 'no reason recorded'),
      j.validationErrors.length
        ? h(
            'ul',
            { class: 'validation' },
            j.validationErrors.map((v) =>
              h(
                'li',
                {},
                h('code', {}, v.path || '(request)'),
                ` — ${v.detail} `,
                h('span', { class: 'muted' }, `(${v.code})`),
              ),
            ),
          )
        : null,
    );

  const eventRow = (e: FailedEvent): HTMLElement =>
    h(
      'tr',
      { 'data-event': e.eventId },
      td('Event', `${e.entity}.${e.action}`),
      td('amoCRM id', e.amoId === null ? '—' : String(e.amoId)),
      td('State', e.state === 'DEAD' ? 'dead' : 'retrying'),
      td('Attempts', String(e.attempts)),
      td('Error', h('span', { class: 'error-text' }, e.error ?? '—')),
      td('Received', formatTime(e.receivedAt)),
      td('', e.state === 'DEAD' ? retryButton('Retry', { eventId: e.eventId }) : '—'),
    );

  const draw = (f: Failures): Node[] => {
    const nothing = f.deadJobs.length === 0 && f.failedEvents.length === 0;
    const dead = f.deadJobs.length + f.failedEvents.filter((e) => e.state === 'DEAD').length;
    return [
      note ? h('p', { class: 'notice', role: 'status' }, note) : h('span'),
      nothing
        ? empty('No failures. Every job and webhook event went through.')
        : h('div', { class: 'actions' }, dead ? retryButton(`Retry all (${dead})`, {}) : null),
      h(
        'section',
        { class: 'card', 'aria-labelledby': 'dj-h' },
        h('h2', { id: 'dj-h' }, `Dead jobs (${f.deadJobs.length})`),
        f.deadJobs.length
          ? h('ul', { class: 'failures' }, f.deadJobs.map(jobCard))
          : empty('No dead jobs.'),
      ),
      h(
        'section',
        { class: 'card', 'aria-labelledby': 'fe-h' },
        h('h2', { id: 'fe-h' }, `Failed webhook events (${f.failedEvents.length})`),
        f.failedEvents.length
          ? table(
              ['Event', 'amoCRM id', 'State', 'Attempts', 'Error', 'Received', ''],
              f.failedEvents.map(eventRow),
            )
          : empty('No failed events.'),
      ),
    ];
  };
  const region = dataRegion('the failures', () => api.failures(), draw);
  return {
    element: h('div', {}, h('h1', {}, 'Failures'), region.element),
    refresh: region.refresh,
  };
}
